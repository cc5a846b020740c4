package dev.wgmesh.controller.user;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 404: no user with this id. */
public class UserNotFoundException extends ErrorResponseException {
    public UserNotFoundException(UUID id) {
        super(HttpStatus.NOT_FOUND, ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No user " + id), null);
    }
}
