package dev.wgmesh.controller.enrolment;

/**
 * A presented enrolment key that cannot be used. The agent-protocol layer maps this to a gRPC status; callers
 * that answer unauthenticated parties should not reveal {@link #reason()} beyond "invalid key" (it would tell an
 * attacker which key ids exist). The message never contains the secret.
 */
public class EnrolmentKeyRejectedException extends RuntimeException {
    public enum Reason {
        /** Malformed, unknown id, or wrong secret. */
        UNKNOWN,
        REVOKED,
        EXPIRED,
        /** Usage limit reached (a one-shot key that was used). */
        EXHAUSTED
    }

    private final Reason reason;

    public EnrolmentKeyRejectedException(Reason reason) {
        super("enrolment key rejected: " + reason);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
