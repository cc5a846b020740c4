package dev.wgmesh.controller.user;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 409: the operation would leave the controller without any ADMIN, locking everyone out of writes. */
public class LastAdminException extends ErrorResponseException {
    public LastAdminException() {
        super(
                HttpStatus.CONFLICT,
                ProblemDetail.forStatusAndDetail(
                        HttpStatus.CONFLICT, "The last ADMIN cannot be removed or demoted; promote another user first"),
                null);
    }
}
