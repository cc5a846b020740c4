package dev.wgmesh.controller.keys;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * WireGuard keys: Curve25519 (X25519) key pairs and 256-bit preshared keys, 32 raw bytes each, written in standard
 * base64 (44 characters with one '=' of padding), as {@code wg genkey}, {@code wg pubkey} and {@code wg genpsk} do.
 */
public final class WireGuardKeys {
    public static final int KEY_LENGTH = 32;
    /** X.509 SubjectPublicKeyInfo of an X25519 key: this 12-byte header, then the 32-byte u-coordinate (RFC 8410). */
    private static final int SPKI_HEADER = 12;

    private static final SecureRandom RANDOM = new SecureRandom();

    private WireGuardKeys() {}

    /** A generated key pair: the public half in base64, the private half wrapped so it cannot leak by accident. */
    public record GeneratedKeyPair(String publicKey, WireGuardSecret privateKey) {}

    public static GeneratedKeyPair generateKeyPair() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] spki = kp.getPublic().getEncoded();
            if (spki.length != SPKI_HEADER + KEY_LENGTH) {
                throw new IllegalStateException("unexpected X25519 public key encoding length " + spki.length);
            }
            byte[] pub = Arrays.copyOfRange(spki, SPKI_HEADER, spki.length);
            byte[] priv = ((XECPrivateKey) kp.getPrivate())
                    .getScalar()
                    .orElseThrow(() -> new IllegalStateException("X25519 provider hides the private scalar"));
            clamp(priv); // as wg genkey does; X25519 clamps anyway, so the public key is unchanged (RFC 7748 §5)
            try {
                return new GeneratedKeyPair(encode(pub), new WireGuardSecret(encode(priv)));
            } finally {
                Arrays.fill(priv, (byte) 0);
            }
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("X25519 is not available in this JDK", ex);
        }
    }

    /** 32 random bytes, as {@code wg genpsk}. */
    public static WireGuardSecret generatePresharedKey() {
        byte[] psk = new byte[KEY_LENGTH];
        RANDOM.nextBytes(psk);
        try {
            return new WireGuardSecret(encode(psk));
        } finally {
            Arrays.fill(psk, (byte) 0);
        }
    }

    /**
     * Checks a user-supplied public key; returns null when valid, else a message that does not echo the input (a user
     * may paste a private key into the wrong field).
     */
    public static String validatePublicKey(String base64) {
        if (base64 == null || base64.isBlank()) {
            return "is required";
        }
        if (base64.length() != 44 || !base64.endsWith("=")) {
            return "must be 32 bytes in base64 (44 characters ending in '=')";
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException ex) {
            return "must be 32 bytes in base64 (44 characters ending in '=')";
        }
        if (raw.length != KEY_LENGTH) {
            return "must be 32 bytes in base64 (44 characters ending in '=')";
        }
        boolean allZero = true;
        for (byte b : raw) {
            allZero &= b == 0;
        }
        return allZero ? "must not be the all-zero key" : null;
    }

    static void clamp(byte[] k) {
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
    }

    static String encode(byte[] raw) {
        return Base64.getEncoder().encodeToString(raw);
    }

    static WireGuardSecret secret(String base64) {
        return new WireGuardSecret(base64);
    }
}
