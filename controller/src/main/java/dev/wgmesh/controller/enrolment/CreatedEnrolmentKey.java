package dev.wgmesh.controller.enrolment;

/** The answer to key creation: the only time the secret is ever shown. */
public record CreatedEnrolmentKey(EnrolmentKey key, String secret) {
    @Override
    public String toString() {
        return "CreatedEnrolmentKey[" + key + ", secret=***]";
    }
}
