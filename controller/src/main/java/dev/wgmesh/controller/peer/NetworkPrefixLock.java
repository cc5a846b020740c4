package dev.wgmesh.controller.peer;

import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.ipam.Cidr;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The network's prefixes, read under a row lock held until the caller's transaction ends, for peer creation: the
 * prefixes cannot change (NetworkService updates under {@code FOR UPDATE}) while addresses are allocated in them.
 *
 * <p>Plain JDBC rather than {@code NetworkService.lockShared}: profiling the creation path showed the JPA locking
 * query (query building and entity loading) costing about 15 % of the controller's CPU per peer, for two columns.
 * PostgreSQL takes {@code FOR SHARE}, so concurrent creations in one network proceed together; H2 has no shared row
 * lock and takes {@code FOR UPDATE} (the embedded database serves single, small installations).
 */
@Component
class NetworkPrefixLock {
    /** The prefixes of one network; {@code ipv6} is null when the network has no IPv6 prefix. */
    record Prefixes(Cidr ipv4, Cidr ipv6) {}

    /**
     * Parsed prefixes by their stored text: parsing (address, BigInteger masks, checks) on every creation cost about
     * 2 % of the controller's CPU per peer, for a handful of distinct values. A {@link Cidr} is immutable, so sharing
     * one is safe; the cache is cleared when it grows past {@link #MAX_CACHED} (many networks), which only costs a
     * parse.
     */
    private static final int MAX_CACHED = 4096;

    private final ConcurrentHashMap<String, Cidr> parsed = new ConcurrentHashMap<>();
    private final JdbcTemplate jdbc;
    private final String sql;

    NetworkPrefixLock(JdbcTemplate jdbc, DataSource dataSource) throws SQLException {
        this.jdbc = jdbc;
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        }
        this.sql = "SELECT ipv4_prefix, ipv6_prefix FROM network WHERE id = ? "
                + ("PostgreSQL".equals(product) ? "FOR SHARE" : "FOR UPDATE");
    }

    /** @throws NotFoundException no such network */
    Prefixes lock(UUID networkId) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("the lock must be held by the caller's transaction");
        }
        List<Prefixes> rows = jdbc.query(
                sql,
                (rs, i) -> new Prefixes(cidr(rs.getString(1)), rs.getString(2) == null ? null : cidr(rs.getString(2))),
                networkId);
        if (rows.isEmpty()) {
            throw new NotFoundException("network", networkId);
        }
        return rows.getFirst();
    }

    private Cidr cidr(String text) {
        Cidr c = parsed.get(text);
        if (c == null) {
            if (parsed.size() >= MAX_CACHED) {
                parsed.clear();
            }
            c = Cidr.parse(text);
            parsed.put(text, c);
        }
        return c;
    }
}
