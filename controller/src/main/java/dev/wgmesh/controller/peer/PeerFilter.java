package dev.wgmesh.controller.peer;

import java.util.UUID;

/**
 * Query filters of the peer list ({@link PeerListQuery}); null fields do not filter. {@code nameContains} matches
 * case-insensitively anywhere in the name; {@code tag} is one exact tag the peer carries.
 */
public record PeerFilter(String nameContains, String tag, PeerKind kind, Boolean enabled, UUID siteId) {

    /** Escapes LIKE wildcards with backslash (the query's ESCAPE character). */
    static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
