package dev.wgmesh.agent.enrol;

/** Enrolment failed; the message is one sentence an operator can act on (never key material). */
public final class EnrolmentException extends Exception {
    public EnrolmentException(String message) {
        super(message);
    }

    public EnrolmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
