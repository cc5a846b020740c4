package dev.wgmesh.controller.ipam;

import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.InvalidInputException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Tunnel address allocation, safe under concurrent requests and across controller replicas.
 *
 * <p>Peer creation uses {@link #allocate}, inside the peer's own transaction (one insert in the common case; see
 * there). {@link #reserve} is the older, transaction-free form, kept for callers that must hold an address before
 * their transaction starts: it runs outside any transaction: it picks a candidate and inserts it, tagged with the id the peer is
 * about to get, in its own autocommitted statement with {@code ON CONFLICT DO NOTHING}; the primary key {@code
 * (network_id, family, host_index)} lets exactly one of several concurrent inserts win and losers move to the next
 * candidate. A conflict costs one round trip and never waits for a business transaction, because no transaction
 * holds a lock on an allocation row for longer than its one insert (the peer's transaction does not touch them).
 * If the peer's transaction fails, the caller {@link #release}s its reservations; if the process dies in between,
 * {@link #reapUnclaimed} frees them once the grace period is over.
 *
 * <p>Candidate order: the address after the highest one in use, and once the top of the prefix is reached, the
 * lowest gap. Finding "highest" is one index probe, while a lowest-gap search scans the allocations; the order also
 * keeps a just-freed address out of circulation for as long as possible, so a stale config elsewhere does not route
 * a new peer's traffic to the old peer's owner.
 */
@Service
public class IpamService {
    /** Bound on probes per reservation: with N concurrent allocators a reservation needs at most N. */
    private static final int MAX_ATTEMPTS = 512;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final AllocationCursors cursors = new AllocationCursors();

    public IpamService(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.clock = Clock.systemUTC();
    }

    /** One reserved or allocated address. */
    public record Allocation(UUID networkId, UUID peerId, int family, BigInteger index, IpAddress address) {}

    /**
     * One address wanted by {@link #allocate}: {@code requested} (static) or, when null, the next free one of
     * {@code prefix}; {@code field} is the request field named in errors.
     */
    public record Want(Cidr prefix, IpAddress requested, String field) {}

    /**
     * Allocates the addresses of a new peer inside the caller's transaction, which must also insert the peer: the
     * allocation rows commit or roll back with it, so a failure leaves nothing to release or reap.
     *
     * <p>Cost in the common case: one multi-row {@code INSERT ... ON CONFLICT DO NOTHING} for all families, with
     * candidates from this process's {@link AllocationCursors}, so concurrent creations here never probe the same
     * row. A candidate another replica took conflicts (after that replica's transaction ends, as PostgreSQL makes
     * the insert wait for it); the allocator then re-reads the highest index in use and tries above it. Two replicas
     * can deadlock on each other's candidates of two families: PostgreSQL aborts one transaction, which the caller
     * retries as a whole.
     *
     * @throws InvalidInputException a static address is outside the prefix, or is its network/broadcast address
     * @throws ConflictException a static address is taken, or a prefix is exhausted
     */
    public List<Allocation> allocate(UUID networkId, UUID peerId, List<Want> wants) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("allocate() must run in the transaction that inserts the peer");
        }
        BigInteger[] candidates = new BigInteger[wants.size()];
        for (int i = 0; i < candidates.length; i++) {
            Want w = wants.get(i);
            candidates[i] = w.requested() != null
                    ? staticIndex(w.prefix(), w.requested(), w.field())
                    : firstCandidate(networkId, w.prefix(), w.field());
        }
        List<Allocation> result = new ArrayList<>(candidates.length);
        boolean[] landed = insertAll(networkId, peerId, wants, candidates);
        for (int i = 0; i < candidates.length; i++) {
            Want w = wants.get(i);
            BigInteger index = candidates[i];
            if (!landed[i]) {
                if (w.requested() != null) {
                    throw new ConflictException(w.field(), w.requested() + " is already taken in this network");
                }
                index = allocateAfterConflict(networkId, peerId, w.prefix(), w.field());
            }
            result.add(new Allocation(
                    networkId, peerId, w.prefix().family(), index, w.prefix().addressAt(index)));
            if (w.requested() == null) {
                giveBackOnRollback(networkId, w.prefix(), index);
            }
        }
        return result;
    }

    private void giveBackOnRollback(UUID networkId, Cidr prefix, BigInteger index) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    cursors.giveBack(networkId, prefix, index);
                }
            }
        });
    }

    private BigInteger staticIndex(Cidr prefix, IpAddress requested, String field) {
        if (!prefix.contains(requested)) {
            throw new InvalidInputException(field, requested + " is outside the network prefix " + prefix);
        }
        BigInteger index = prefix.indexOf(requested);
        if (index.signum() == 0 || index.compareTo(prefix.lastUsableIndex()) > 0) {
            throw new InvalidInputException(
                    field,
                    requested + " is the " + (index.signum() == 0 ? "network" : "broadcast") + " address of " + prefix);
        }
        return index;
    }

    private BigInteger firstCandidate(UUID networkId, Cidr prefix, String field) {
        BigInteger c = cursors.take(networkId, prefix);
        if (c == null) {
            c = cursors.takeAtLeast(
                    networkId, prefix, highestInUse(networkId, prefix).add(BigInteger.ONE));
        }
        return c.compareTo(prefix.lastUsableIndex()) > 0 ? gapOrFull(networkId, prefix, field) : c;
    }

    private BigInteger allocateAfterConflict(UUID networkId, UUID peerId, Cidr prefix, String field) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            BigInteger c = cursors.takeAtLeast(
                    networkId, prefix, highestInUse(networkId, prefix).add(BigInteger.ONE));
            if (c.compareTo(prefix.lastUsableIndex()) > 0) {
                c = gapOrFull(networkId, prefix, field);
            }
            if (tryInsert(networkId, peerId, prefix, c)) {
                return c;
            }
        }
        throw new ConflictException(field, "could not allocate an address in " + prefix + " (too much contention)");
    }

    private BigInteger gapOrFull(UUID networkId, Cidr prefix, String field) {
        BigInteger gap = lowestGap(networkId, prefix);
        if (gap == null) {
            throw new ConflictException(field, "no free address left in " + prefix);
        }
        return gap;
    }

    private BigInteger highestInUse(UUID networkId, Cidr prefix) {
        BigDecimal max = jdbc.queryForObject(
                "SELECT max(host_index) FROM ip_allocation WHERE network_id = ? AND family = ?",
                BigDecimal.class,
                networkId,
                prefix.family());
        return max == null ? BigInteger.ZERO : max.toBigIntegerExact();
    }

    /** One statement for all candidates; which of them conflicted is read back only when some did. */
    private boolean[] insertAll(UUID networkId, UUID peerId, List<Want> wants, BigInteger[] candidates) {
        boolean[] landed = new boolean[candidates.length];
        if (candidates.length == 0) {
            return landed;
        }
        StringBuilder sql = new StringBuilder(
                "INSERT INTO ip_allocation (network_id, family, host_index, address, peer_id, reserved_at) VALUES ");
        List<Object> args = new ArrayList<>(6 * candidates.length);
        OffsetDateTime now = utcNow(); // not java.sql.Timestamp: the driver builds a calendar for each of those
        for (int i = 0; i < candidates.length; i++) {
            Cidr prefix = wants.get(i).prefix();
            sql.append(i == 0 ? "(?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?)");
            args.add(networkId);
            args.add(prefix.family());
            args.add(new BigDecimal(candidates[i]));
            args.add(prefix.addressAt(candidates[i]).toString());
            args.add(peerId);
            args.add(now);
        }
        sql.append(" ON CONFLICT DO NOTHING");
        int inserted = jdbc.update(sql.toString(), args.toArray());
        if (inserted == candidates.length) {
            Arrays.fill(landed, true);
        } else if (inserted > 0) {
            List<String> mine = jdbc.queryForList(
                    "SELECT address FROM ip_allocation WHERE peer_id = ? AND network_id = ?",
                    String.class,
                    peerId,
                    networkId);
            for (int i = 0; i < candidates.length; i++) {
                landed[i] = mine.contains(
                        wants.get(i).prefix().addressAt(candidates[i]).toString());
            }
        }
        return landed;
    }

    /**
     * Reserves {@code requested} (a static address) or, when null, the next free address of {@code prefix}.
     *
     * @param field the request field named in errors ({@code tunnelIpv4} / {@code tunnelIpv6})
     * @throws InvalidInputException the static address is outside the prefix, or is its network/broadcast address
     * @throws ConflictException the static address is taken, or the prefix is exhausted
     */
    public Allocation reserve(UUID networkId, UUID peerId, Cidr prefix, IpAddress requested, String field) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("reserve() must run outside a transaction: its insert must commit alone");
        }
        return requested != null
                ? reserveStatic(networkId, peerId, prefix, requested, field)
                : reserveNext(networkId, peerId, prefix, field);
    }

    private Allocation reserveStatic(UUID networkId, UUID peerId, Cidr prefix, IpAddress requested, String field) {
        if (!prefix.contains(requested)) {
            throw new InvalidInputException(field, requested + " is outside the network prefix " + prefix);
        }
        BigInteger index = prefix.indexOf(requested);
        if (index.signum() == 0 || index.compareTo(prefix.lastUsableIndex()) > 0) {
            throw new InvalidInputException(
                    field,
                    requested + " is the " + (index.signum() == 0 ? "network" : "broadcast") + " address of " + prefix);
        }
        if (!tryInsert(networkId, peerId, prefix, index)) {
            throw new ConflictException(field, requested + " is already taken in this network");
        }
        return new Allocation(networkId, peerId, prefix.family(), index, requested);
    }

    private Allocation reserveNext(UUID networkId, UUID peerId, Cidr prefix, String field) {
        BigInteger last = prefix.lastUsableIndex();
        BigDecimal max = jdbc.queryForObject(
                "SELECT max(host_index) FROM ip_allocation WHERE network_id = ? AND family = ?",
                BigDecimal.class,
                networkId,
                prefix.family());
        BigInteger candidate =
                max == null ? BigInteger.ONE : max.toBigIntegerExact().add(BigInteger.ONE);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            if (candidate.compareTo(last) > 0) {
                candidate = lowestGap(networkId, prefix);
                if (candidate == null) {
                    throw new ConflictException(field, "no free address left in " + prefix);
                }
            }
            if (tryInsert(networkId, peerId, prefix, candidate)) {
                return new Allocation(networkId, peerId, prefix.family(), candidate, prefix.addressAt(candidate));
            }
            candidate = candidate.add(BigInteger.ONE);
        }
        throw new ConflictException(field, "could not allocate an address in " + prefix + " (too much contention)");
    }

    /** The lowest free usable index, or null when the prefix is full. Scans this network's allocations. */
    private BigInteger lowestGap(UUID networkId, Cidr prefix) {
        Integer firstTaken = jdbc.queryForObject(
                "SELECT count(*) FROM ip_allocation WHERE network_id = ? AND family = ? AND host_index = 1",
                Integer.class,
                networkId,
                prefix.family());
        if (firstTaken == 0) {
            return BigInteger.ONE;
        }
        List<BigDecimal> gaps = jdbc.queryForList(
                """
                SELECT a.host_index + 1 FROM ip_allocation a
                WHERE a.network_id = ? AND a.family = ? AND a.host_index + 1 <= ?
                  AND NOT EXISTS (SELECT 1 FROM ip_allocation b
                                  WHERE b.network_id = a.network_id AND b.family = a.family
                                    AND b.host_index = a.host_index + 1)
                ORDER BY a.host_index
                LIMIT 1""", BigDecimal.class, networkId, prefix.family(), new BigDecimal(prefix.lastUsableIndex()));
        return gaps.isEmpty() ? null : gaps.getFirst().toBigIntegerExact();
    }

    private boolean tryInsert(UUID networkId, UUID peerId, Cidr prefix, BigInteger index) {
        return jdbc.update(
                        """
                        INSERT INTO ip_allocation (network_id, family, host_index, address, peer_id, reserved_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT DO NOTHING""",
                        networkId,
                        prefix.family(),
                        new BigDecimal(index),
                        prefix.addressAt(index).toString(),
                        peerId,
                        utcNow())
                == 1;
    }

    private OffsetDateTime utcNow() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** Frees reservations whose peer was never created (compensation after a failed transaction). */
    public void release(List<Allocation> allocations) {
        for (Allocation a : allocations) {
            jdbc.update(
                    "DELETE FROM ip_allocation WHERE network_id = ? AND family = ? AND host_index = ? AND peer_id = ?",
                    a.networkId(),
                    a.family(),
                    new BigDecimal(a.index()),
                    a.peerId());
        }
    }

    /** Frees every address of a peer; call inside the transaction that deletes the peer. */
    public void releasePeer(UUID peerId) {
        jdbc.update("DELETE FROM ip_allocation WHERE peer_id = ?", peerId);
    }

    /** Deletes reservations older than {@code grace} whose peer does not exist; returns how many. */
    public int reapUnclaimed(Duration grace) {
        return jdbc.update(
                "DELETE FROM ip_allocation a WHERE a.reserved_at < ?"
                        + " AND NOT EXISTS (SELECT 1 FROM peer p WHERE p.id = a.peer_id)",
                Timestamp.from(clock.instant().minus(grace)));
    }

    /** Addresses in use (claimed or reserved) in a network, for checks and tests. */
    public long countAllocated(UUID networkId) {
        Long n = jdbc.queryForObject("SELECT count(*) FROM ip_allocation WHERE network_id = ?", Long.class, networkId);
        return n == null ? 0 : n;
    }
}
