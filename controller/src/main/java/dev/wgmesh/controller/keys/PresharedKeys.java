package dev.wgmesh.controller.keys;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
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
        UUID low = a.toString().compareTo(b.toString()) < 0 ? a : b;
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

    private String find(UUID low, UUID high) {
        List<String> rows = jdbc.queryForList(
                "SELECT key_sealed FROM preshared_key WHERE peer_low = ? AND peer_high = ?", String.class, low, high);
        return rows.isEmpty() ? null : rows.getFirst();
    }

    private static String context(UUID low, UUID high) {
        return "preshared-key:" + low + ":" + high;
    }
}
