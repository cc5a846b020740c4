package dev.wgmesh.agent.enrol;

/** Enrolment failed; the message is one sentence an operator can act on (never key material). */
public final class EnrolmentException extends Exception {
    private final boolean retryable;

    public EnrolmentException(String message) {
        this(message, null, false);
    }

    public EnrolmentException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /** True when trying again later may succeed (controller unreachable); false for a refusal. */
    public boolean retryable() {
        return retryable;
    }

    public EnrolmentException(String message, Throwable cause) {
        this(message, cause, false);
    }
}
