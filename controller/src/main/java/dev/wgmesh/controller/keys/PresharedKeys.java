package dev.wgmesh.controller.keys;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The preshared key of each device-to-peer link (WireGuard whitepaper §5.2: the optional PSK mixed into the
 * handshake, here one per link so leaking one config exposes no other link). Created on first use; two exports of the
 * same link racing each other both end up with the one key that won the insert.
 */
@Service
public class PresharedKeys {
    private final JdbcTemplate jdbc;
    private final SecretCipher cipher;
    private volatile Boolean postgres;

    public PresharedKeys(JdbcTemplate jdbc, SecretCipher cipher) {
        this.jdbc = jdbc;
        this.cipher = cipher;
    }

    public WireGuardSecret forLink(UUID a, UUID b) {
        if (a.equals(b)) {
            throw new IllegalArgumentException("a link needs two distinct peers");
        }
        UUID low = low(a, b);
        UUID high = low.equals(a) ? b : a;
        String context = context(low, high);
        String sealed = find(low, high);
        if (sealed == null) {
            jdbc.update(
                    "INSERT INTO preshared_key (peer_low, peer_high, key_sealed, created_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING",
                    low,
                    high,
                    cipher.seal(WireGuardKeys.generatePresharedKey(), context),
                    Timestamp.from(Instant.now()));
            sealed = find(low, high);
        }
        return cipher.openKey(sealed, context);
    }

    /**
     * The keys of the links from {@code peer} to each of {@code others}, creating the missing ones (a device joining a
     * network of 1,000 agents needs 1,000 keys at once). Races like {@link #forLink}: the key that won the insert is
     * the one returned.
     *
     * <p>On PostgreSQL one statement in the usual case: a key is made for every link and all are offered in one
     * {@code INSERT ... SELECT unnest(...) ON CONFLICT DO NOTHING RETURNING}; the returned links are the ones whose
     * key is the one just made (no read, no decryption), and only when some link already had a key are the stored
     * keys read. (A 1,000-row JDBC batch then re-reading all links was ~1,000 statements and 2,000 rows read on the
     * path of every device change.) Callers pass the links they do not know yet, so sealing a key that loses to a
     * stored one is the exception. Elsewhere (H2): read the stored keys, batch-insert the missing ones, read again.
     */
    public Map<UUID, WireGuardSecret> forLinks(UUID peer, Collection<UUID> others) {
        if (postgres()) {
            return forLinksBulk(peer, others);
        }
        Map<UUID, String> sealed = linksOf(peer);
        List<NewLink> missing = new ArrayList<>();
        for (UUID other : others) {
            if (!other.equals(peer) && !sealed.containsKey(other)) {
                missing.add(newLink(peer, other));
            }
        }
        if (!missing.isEmpty()) {
            Timestamp now = Timestamp.from(Instant.now());
            jdbc.batchUpdate(
                    "INSERT INTO preshared_key (peer_low, peer_high, key_sealed, created_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING",
                    missing.stream()
                            .map(l -> new Object[] {l.low(), l.high(), l.sealed(), now})
                            .toList());
            sealed = linksOf(peer); // a racing insert may have won: its key is the one returned
        }
        return opened(peer, others, sealed, missing);
    }

    private Map<UUID, WireGuardSecret> forLinksBulk(UUID peer, Collection<UUID> others) {
        List<NewLink> made = new ArrayList<>();
        for (UUID other : new java.util.LinkedHashSet<>(others)) {
            if (!other.equals(peer)) {
                made.add(newLink(peer, other));
            }
        }
        if (made.isEmpty()) {
            return Map.of();
        }
        java.util.Set<UUID> inserted = new java.util.HashSet<>();
        jdbc.query(
                con -> {
                    java.sql.PreparedStatement ps = con.prepareStatement(
                            "INSERT INTO preshared_key (peer_low, peer_high, key_sealed, created_at)"
                                    + " SELECT l, h, k, ? FROM unnest(?::uuid[], ?::uuid[], ?::text[]) AS v(l, h, k)"
                                    + " ON CONFLICT DO NOTHING RETURNING peer_low, peer_high");
                    ps.setTimestamp(1, Timestamp.from(Instant.now()));
                    ps.setArray(2, column(con, "uuid", made, NewLink::low));
                    ps.setArray(3, column(con, "uuid", made, NewLink::high));
                    ps.setArray(4, column(con, "text", made, NewLink::sealed));
                    return ps;
                },
                (java.sql.ResultSet rs) -> {
                    UUID low = rs.getObject(1, UUID.class);
                    inserted.add(low.equals(peer) ? rs.getObject(2, UUID.class) : low);
                });
        // Usually every key offered was inserted; otherwise the stored keys are read, and a link in the RETURNING
        // list has the key made here whatever a concurrent reader saw.
        Map<UUID, String> sealed = inserted.size() < made.size() ? linksOf(peer) : new HashMap<>();
        for (NewLink l : made) {
            if (inserted.contains(l.other())) {
                sealed.put(l.other(), l.sealed());
            }
        }
        return opened(peer, others, sealed, made);
    }

    private static java.sql.Array column(
            java.sql.Connection con, String type, List<NewLink> rows, java.util.function.Function<NewLink, Object> of)
            throws java.sql.SQLException {
        return con.createArrayOf(type, rows.stream().map(of).toArray());
    }

    /** A key made for the link from {@code peer} to {@code other}, sealed for its row. */
    private NewLink newLink(UUID peer, UUID other) {
        UUID low = low(peer, other);
        UUID high = low.equals(peer) ? other : peer;
        WireGuardSecret key = WireGuardKeys.generatePresharedKey();
        return new NewLink(other, low, high, key, cipher.seal(key, context(low, high)));
    }

    private record NewLink(UUID other, UUID low, UUID high, WireGuardSecret key, String sealed) {}

    /**
     * The keys of {@code others} from their sealed forms; a link whose stored key is one just made needs no
     * decryption (opening the keys just sealed was half of the cost of a device joining 1,000 agents).
     */
    private Map<UUID, WireGuardSecret> opened(
            UUID peer, Collection<UUID> others, Map<UUID, String> sealed, List<NewLink> made) {
        Map<String, WireGuardSecret> mine = new HashMap<>();
        made.forEach(l -> mine.put(l.sealed(), l.key()));
        Map<UUID, WireGuardSecret> out = new HashMap<>();
        for (UUID other : others) {
            String s = sealed.get(other);
            if (s != null) {
                WireGuardSecret key = mine.get(s);
                UUID low = low(peer, other);
                out.put(other, key != null ? key : cipher.openKey(s, context(low, low.equals(peer) ? other : peer)));
            }
        }
        return out;
    }

    /** Whether the database is PostgreSQL (bulk statements over arrays); asked once. */
    private boolean postgres() {
        Boolean p = postgres;
        if (p == null) {
            p = jdbc.execute((java.sql.Connection c) -> c.getMetaData()
                    .getDatabaseProductName()
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("postgres"));
            postgres = p;
        }
        return p;
    }

    /** Sealed keys of every link of {@code peer}, by the other end. */
    private Map<UUID, String> linksOf(UUID peer) {
        Map<UUID, String> out = new HashMap<>();
        jdbc.query(
                "SELECT peer_low, peer_high, key_sealed FROM preshared_key WHERE peer_low = ? OR peer_high = ?",
                (java.sql.ResultSet rs) -> {
                    UUID low = rs.getObject(1, UUID.class);
                    UUID high = rs.getObject(2, UUID.class);
                    out.put(low.equals(peer) ? high : low, rs.getString(3));
                },
                peer,
                peer);
        return out;
    }

    /** The link's first end in canonical order (UUID text order, see V5). */
    private static UUID low(UUID a, UUID b) {
        return a.toString().compareTo(b.toString()) < 0 ? a : b;
    }

    private String find(UUID low, UUID high) {
        List<String> rows = jdbc.queryForList(
                "SELECT key_sealed FROM preshared_key WHERE peer_low = ? AND peer_high = ?", String.class, low, high);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private static String context(UUID low, UUID high) {
        return "preshared-key:" + low + ":" + high;
    }
}
