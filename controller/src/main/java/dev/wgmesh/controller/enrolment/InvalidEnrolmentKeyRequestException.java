package dev.wgmesh.controller.enrolment;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 400: contradictory key settings (e.g. a one-shot key with a usage limit above 1). */
public class InvalidEnrolmentKeyRequestException extends ErrorResponseException {
    public InvalidEnrolmentKeyRequestException(String detail) {
        super(HttpStatus.BAD_REQUEST, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail), null);
    }
}
