package dev.wgmesh.controller.user;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/** Username and password rules, shared by the REST API and first-admin bootstrap. */
final class UserRules {
    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
    static final int MIN_PASSWORD_CHARS = 10;
    /** BCrypt only reads the first 72 bytes; Spring Security 7 rejects longer input rather than truncating it. */
    static final int MAX_PASSWORD_BYTES = 72;

    private UserRules() {}

    /** Lower-cases and checks a username; usernames compare case-insensitively. */
    static String normalizeUsername(String raw) {
        String name = raw == null ? "" : raw.strip().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(name).matches()) {
            throw new InvalidCredentialsInputException(
                    "Username must be 1-64 characters of a-z, 0-9, '.', '_', '@', '-' and start with a letter or digit");
        }
        return name;
    }

    static void checkPassword(String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_PASSWORD_CHARS) {
            throw new InvalidCredentialsInputException(
                    "Password must have at least " + MIN_PASSWORD_CHARS + " characters");
        }
        if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new InvalidCredentialsInputException(
                    "Password must be at most " + MAX_PASSWORD_BYTES + " bytes in UTF-8");
        }
    }
}
