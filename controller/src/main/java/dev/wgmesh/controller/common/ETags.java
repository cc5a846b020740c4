package dev.wgmesh.controller.common;

/**
 * Optimistic concurrency over HTTP (RFC 9110 §8.8.3, §13.1.1): a resource's ETag is its row version; a write that
 * carries {@code If-Match} proceeds only when it names the current version. Without {@code If-Match} the write is
 * unconditional (last writer wins), which keeps simple scripts simple; the dashboard always sends it.
 */
public final class ETags {
    private ETags() {}

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    /** Throws {@link PreconditionFailedException} unless {@code ifMatch} is absent, {@code *}, or lists the version. */
    public static void check(String ifMatch, long currentVersion) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return;
        }
        String current = of(currentVersion);
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.startsWith("W/")) {
                t = t.substring(2); // weak comparison is enough here: versions are exact
            }
            if (t.equals("*") || t.equals(current)) {
                return;
            }
        }
        throw new PreconditionFailedException("If-Match " + ifMatch.strip() + " does not match the current version "
                + current + "; re-read the resource and retry");
    }
}
