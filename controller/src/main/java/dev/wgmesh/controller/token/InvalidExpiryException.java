package dev.wgmesh.controller.token;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 400: an expiry in the past or beyond the allowed maximum (tokens and enrolment keys). */
public class InvalidExpiryException extends ErrorResponseException {
    public InvalidExpiryException(String detail) {
        super(HttpStatus.BAD_REQUEST, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail), null);
    }
}
