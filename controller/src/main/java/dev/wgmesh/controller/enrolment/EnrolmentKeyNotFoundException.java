package dev.wgmesh.controller.enrolment;

import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** 404: no such enrolment key in this network. */
public class EnrolmentKeyNotFoundException extends ErrorResponseException {
    public EnrolmentKeyNotFoundException(UUID networkId, UUID keyId) {
        super(
                HttpStatus.NOT_FOUND,
                ProblemDetail.forStatusAndDetail(
                        HttpStatus.NOT_FOUND, "No enrolment key " + keyId + " in network " + networkId),
                null);
    }
}
