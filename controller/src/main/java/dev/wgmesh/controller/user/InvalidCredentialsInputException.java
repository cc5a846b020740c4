package dev.wgmesh.controller.user;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 400: a username or password that breaks the rules in {@link UserRules}. The message never echoes a password. */
public class InvalidCredentialsInputException extends ErrorResponseException {
    public InvalidCredentialsInputException(String detail) {
        super(HttpStatus.BAD_REQUEST, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail), null);
    }
}
