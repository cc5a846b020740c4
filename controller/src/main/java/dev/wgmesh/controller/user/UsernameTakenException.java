package dev.wgmesh.controller.user;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 409: another user already has this username. */
public class UsernameTakenException extends ErrorResponseException {
    public UsernameTakenException(String username) {
        super(
                HttpStatus.CONFLICT,
                ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, "Username '" + username + "' is taken"),
                null);
    }
}
