package dev.wgmesh.controller.enrolment;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 404: the network named in the path does not exist. */
public class UnknownNetworkException extends ErrorResponseException {
    public UnknownNetworkException(UUID networkId) {
        super(
                HttpStatus.NOT_FOUND,
                ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No network " + networkId),
                null);
    }
}
