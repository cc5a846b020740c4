package dev.wgmesh.controller.enrolment;

/**
 * The answer to key creation: the only time the secret is ever shown.
 *
 * @param caFingerprint the controller CA pin ({@code sha256:<hex>}); null when no CA is configured
 * @param joinToken {@code <secret>.<hex of caFingerprint>}: what {@code wgmesh-agent --enrol-key} takes (the secret
 *     contains no '.'); null when no CA is configured
 */
public record CreatedEnrolmentKey(EnrolmentKey key, String secret, String caFingerprint, String joinToken) {
    static CreatedEnrolmentKey of(EnrolmentKey key, String secret, String caFingerprint) {
        String token = caFingerprint == null ? null : secret + "." + caFingerprint.substring("sha256:".length());
        return new CreatedEnrolmentKey(key, secret, caFingerprint, token);
    }

    @Override
    public String toString() {
        return "CreatedEnrolmentKey[" + key + ", secret=***, caFingerprint=" + caFingerprint + "]";
    }
}
