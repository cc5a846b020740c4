package dev.wgmesh.controller.keys;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * WireGuard keys: Curve25519 (X25519) key pairs and 256-bit preshared keys, 32 raw bytes each, written in standard
 * base64 (44 characters with one '=' of padding), as {@code wg genkey}, {@code wg pubkey} and {@code wg genpsk} do.
 */
public final class WireGuardKeys {
    public static final int KEY_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private WireGuardKeys() {}

    /** A generated key pair: the public half in base64, the private half wrapped so it cannot leak by accident. */
    public record GeneratedKeyPair(String publicKey, WireGuardSecret privateKey) {}

    /**
     * A fresh key pair, as {@code wg genkey | wg pubkey}. BouncyCastle's RFC 7748 X25519 rather than the JDK's: its
     * public-key derivation is a fixed-base multiplication with precomputed tables, several times cheaper than the
     * JDK's generic Montgomery ladder, and a DEVICE peer creation pays for one on every request.
     */
    public static GeneratedKeyPair generateKeyPair() {
        byte[] priv = new byte[KEY_LENGTH];
        byte[] pub = new byte[KEY_LENGTH];
        try {
            RANDOM.nextBytes(priv);
            clamp(priv); // as wg genkey does (RFC 7748 §5 decodeScalar25519)
            publicKey(priv, pub);
            return new GeneratedKeyPair(encode(pub), new WireGuardSecret(encode(priv)));
        } finally {
            Arrays.fill(priv, (byte) 0);
        }
    }

    /** X25519(private, 9): the public key of a private scalar (RFC 7748 §6.1). */
    static void publicKey(byte[] priv, byte[] pub) {
        X25519.generatePublicKey(priv, 0, pub, 0);
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
