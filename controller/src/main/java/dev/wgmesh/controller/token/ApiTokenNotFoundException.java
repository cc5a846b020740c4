package dev.wgmesh.controller.token;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 404: no API token with this id. */
public class ApiTokenNotFoundException extends ErrorResponseException {
    public ApiTokenNotFoundException(UUID id) {
        super(HttpStatus.NOT_FOUND, ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No API token " + id), null);
    }
}
