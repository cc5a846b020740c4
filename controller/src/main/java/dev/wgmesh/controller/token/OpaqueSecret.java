package dev.wgmesh.controller.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Bearer secrets that carry their own lookup id: API tokens and enrolment keys.
 *
 * <pre>
 *   wgm_0f1e2d3c4b5a69788796a5b4c3d2e1f0_3q2-7wXy...43 chars...
 *   \_/ \______________________________/ \________________________/
 *  prefix   row id (UUID, 32 hex digits)   32 random bytes, base64url
 * </pre>
 *
 * <p>The id finds the row with a primary-key lookup; the row stores only {@code SHA-256(whole secret)}. A plain
 * (fast) hash is right here, unlike for passwords: the secret has 256 bits of entropy, so no precomputation or
 * brute force can reach it, and a deliberately slow hash (BCrypt/Argon2) would cost ~100 ms of CPU on every API
 * request and hand attackers a cheap denial of service. Comparison is constant-time.
 */
public final class OpaqueSecret {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RANDOM_BYTES = 32;
    private static final int ID_CHARS = 32;
    private static final int RANDOM_CHARS = 43; // base64url, no padding, of 32 bytes

    private final String prefix;

    /** @param prefix e.g. {@code wgm}; letters only so the first '_' ends it */
    public OpaqueSecret(String prefix) {
        if (!prefix.matches("[a-z]+")) {
            throw new IllegalArgumentException("prefix must be lower-case letters");
        }
        this.prefix = prefix;
    }

    /** A fresh secret for the row {@code id}. */
    public String generate(UUID id) {
        byte[] random = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(random);
        return prefix + "_" + id.toString().replace("-", "") + "_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** The row id a well-formed secret names, or empty for anything malformed (never throws on bad input). */
    public Optional<UUID> idOf(String secret) {
        if (secret == null || secret.length() != prefix.length() + 2 + ID_CHARS + RANDOM_CHARS) {
            return Optional.empty();
        }
        int idStart = prefix.length() + 1;
        int idEnd = idStart + ID_CHARS;
        if (!secret.startsWith(prefix) || secret.charAt(prefix.length()) != '_' || secret.charAt(idEnd) != '_') {
            return Optional.empty();
        }
        String hex = secret.substring(idStart, idEnd);
        if (!hex.chars().allMatch(HexFormat::isHexDigit)) {
            return Optional.empty();
        }
        long msb = HexFormat.fromHexDigitsToLong(hex, 0, 16);
        long lsb = HexFormat.fromHexDigitsToLong(hex, 16, 32);
        return Optional.of(new UUID(msb, lsb));
    }

    /** Lower-case hex SHA-256 of the secret's UTF-8 bytes: what the database stores. */
    public static String sha256Hex(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", ex);
        }
    }

    /** Constant-time check of a presented secret against a stored hash. */
    public static boolean matches(String secret, String storedSha256Hex) {
        return MessageDigest.isEqual(
                sha256Hex(secret).getBytes(StandardCharsets.US_ASCII),
                storedSha256Hex.getBytes(StandardCharsets.US_ASCII));
    }
}
