package dev.wgmesh.agent.enrol;

import java.util.HexFormat;
import java.util.Locale;

/**
 * What an operator gives a new agent: the enrolment key's secret plus the pin of the controller's CA
 * (SHA-256 over the CA certificate's DER), either as one join token {@code <secret>.<64 hex>} or as a bare secret
 * plus {@code --ca-fingerprint sha256:HEX}. The pin is what lets a fresh agent trust the controller before it has
 * any certificate (as {@code kubeadm join --discovery-token-ca-cert-hash} does).
 *
 * <p>{@link #toString()} never prints the secret.
 */
public record JoinToken(String secret, byte[] caSha256) {
    public JoinToken {
        if (secret == null || secret.isEmpty() || secret.contains(".") || secret.isBlank()) {
            throw new IllegalArgumentException("the enrolment key's secret is empty or malformed");
        }
        if (caSha256 == null || caSha256.length != 32) {
            throw new IllegalArgumentException("the CA fingerprint must be 32 bytes (64 hex digits) of SHA-256");
        }
        caSha256 = caSha256.clone();
    }

    /**
     * Parses {@code --enrol-key} and the optional {@code --ca-fingerprint}.
     *
     * @throws IllegalArgumentException with a sentence naming the problem (never echoing the secret)
     */
    public static JoinToken parse(String enrolKey, String caFingerprint) {
        if (enrolKey == null || enrolKey.isBlank()) {
            throw new IllegalArgumentException(
                    "--enrol-key is required for the first run (no identity in the state dir)");
        }
        String key = enrolKey.trim();
        int dot = key.lastIndexOf('.');
        if (dot >= 0) {
            byte[] pin = parseHex(key.substring(dot + 1), "--enrol-key (the part after the '.')");
            if (caFingerprint != null && !java.util.Arrays.equals(pin, parseFingerprint(caFingerprint))) {
                throw new IllegalArgumentException("--ca-fingerprint contradicts the CA pin inside --enrol-key");
            }
            return new JoinToken(key.substring(0, dot), pin);
        }
        if (caFingerprint == null) {
            throw new IllegalArgumentException("--enrol-key has no CA pin: use the join token (secret.CA-HASH) the "
                    + "controller printed, or add --ca-fingerprint sha256:HEX");
        }
        return new JoinToken(key, parseFingerprint(caFingerprint));
    }

    /** Parses {@code sha256:HEX} (the prefix is optional). */
    public static byte[] parseFingerprint(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("sha256:")) {
            t = t.substring("sha256:".length());
        }
        return parseHex(t, "--ca-fingerprint");
    }

    private static byte[] parseHex(String hex, String what) {
        if (hex.length() != 64 || !hex.toLowerCase(Locale.ROOT).matches("[0-9a-f]+")) {
            throw new IllegalArgumentException(what + " must be 64 hex digits (SHA-256 of the controller CA)");
        }
        return HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT));
    }

    @Override
    public byte[] caSha256() {
        return caSha256.clone();
    }

    public String caFingerprint() {
        return "sha256:" + HexFormat.of().formatHex(caSha256);
    }

    @Override
    public String toString() {
        return "JoinToken[secret=(hidden), ca=" + caFingerprint() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JoinToken t && t.secret.equals(secret) && java.util.Arrays.equals(t.caSha256, caSha256);
    }

    @Override
    public int hashCode() {
        return secret.hashCode() * 31 + java.util.Arrays.hashCode(caSha256);
    }
}
