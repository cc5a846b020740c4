package dev.wgmesh.dataplane.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Key codecs (base64 as wg(8) writes keys in config files, lowercase hex as the UAPI does), generation and wiping.
 *
 * <p>Parsing errors never echo the input: it may be a private key.
 */
public final class Keys {
    public static final int KEY_LEN = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private Keys() {}

    /** A fresh clamped X25519 private key. */
    public static byte[] generatePrivateKey() {
        byte[] k = new byte[KEY_LEN];
        RANDOM.nextBytes(k);
        X25519.clamp(k);
        return k;
    }

    /** A fresh random 32-byte preshared key ({@code wg genpsk}). */
    public static byte[] generatePresharedKey() {
        byte[] k = new byte[KEY_LEN];
        RANDOM.nextBytes(k);
        return k;
    }

    public static String toBase64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    /** Decodes a 44-character base64 key; throws IllegalArgumentException (without the input) otherwise. */
    public static byte[] fromBase64(String text) {
        if (text == null || text.length() != 44) {
            throw new IllegalArgumentException("key must be 44 characters of base64");
        }
        byte[] out;
        try {
            out = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is not valid base64");
        }
        if (out.length != KEY_LEN) {
            throw new IllegalArgumentException("key must decode to 32 bytes");
        }
        return out;
    }

    public static String toHex(byte[] key) {
        return HEX.formatHex(key);
    }

    /** Decodes a 64-character hex key (either case); throws IllegalArgumentException (without the input) otherwise. */
    public static byte[] fromHex(String text) {
        if (text == null || text.length() != 2 * KEY_LEN) {
            throw new IllegalArgumentException("key must be 64 hex characters");
        }
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key is not valid hex");
        }
    }

    /** True when every byte is zero (an unset key), in constant time. */
    public static boolean isZero(byte[] key) {
        return ConstantTime.isZero(key, 0, key.length);
    }

    /** Overwrites {@code secret} with zeros; null-safe. */
    public static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
