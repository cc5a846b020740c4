package dev.wgmesh.controller.common;

import java.util.Locale;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * Database constraints are the last line against races (two requests creating the same name at once): features
 * translate a violation of a constraint they own into a {@link ConflictException} naming the field.
 */
public final class Constraints {
    private Constraints() {}

    /** True when the violation is of the named constraint (matched case-insensitively, as H2 upper-cases names). */
    public static boolean violated(DataIntegrityViolationException ex, String constraint) {
        String wanted = constraint.toLowerCase(Locale.ROOT);
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof org.hibernate.exception.ConstraintViolationException cve
                    && cve.getConstraintName() != null
                    && cve.getConstraintName().toLowerCase(Locale.ROOT).contains(wanted)) {
                return true;
            }
            String msg = t.getMessage();
            if (msg != null && msg.toLowerCase(Locale.ROOT).contains(wanted)) {
                return true;
            }
        }
        return false;
    }
}
