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
     * The keys of the links from {@code peer} to each of {@code others}, creating the missing ones, in three
     * statements whatever the number of links (a device joining a network of 1,000 agents needs 1,000 keys at once).
     * Races like {@link #forLink}: the key that won the insert is the one returned.
     */
    public Map<UUID, WireGuardSecret> forLinks(UUID peer, Collection<UUID> others) {
        Map<UUID, String> sealed = linksOf(peer);
        List<Object[]> missing = new ArrayList<>();
        // The keys made here, by their sealed form: a link whose stored key is this one needs no decryption (half of
        // the cost of a device joining 1,000 agents was opening the keys just sealed).
        Map<String, WireGuardSecret> made = new HashMap<>();
        for (UUID other : others) {
            if (!other.equals(peer) && !sealed.containsKey(other)) {
                UUID low = low(peer, other);
                UUID high = low.equals(peer) ? other : peer;
                WireGuardSecret key = WireGuardKeys.generatePresharedKey();
                String seal = cipher.seal(key, context(low, high));
                made.put(seal, key);
                missing.add(new Object[] {low, high, seal, Timestamp.from(Instant.now())});
            }
        }
        if (!missing.isEmpty()) {
            jdbc.batchUpdate(
                    "INSERT INTO preshared_key (peer_low, peer_high, key_sealed, created_at) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING",
                    missing);
            sealed = linksOf(peer); // a racing insert may have won: its key is the one returned
        }
        Map<UUID, WireGuardSecret> out = new HashMap<>();
        for (UUID other : others) {
            String s = sealed.get(other);
            if (s != null) {
                WireGuardSecret mine = made.get(s);
                UUID low = low(peer, other);
                out.put(other, mine != null ? mine : cipher.openKey(s, context(low, low.equals(peer) ? other : peer)));
            }
        }
        return out;
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
