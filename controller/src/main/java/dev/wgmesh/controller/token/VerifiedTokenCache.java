package dev.wgmesh.controller.token;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token rows read recently for authentication, so a script's stream of requests costs one primary-key read per
 * token per {@code ttl} instead of one per request (profiling the REST path showed that read, a connection checkout
 * and an autocommitted query, on every call). Only the row is remembered: every request still hashes the presented
 * secret and compares it with the stored hash, and checks expiry and revocation against the remembered row.
 *
 * <p>The contract: a revocation on this replica takes effect at once ({@link #forget}); on another replica within
 * {@code ttl}. Bounded: unknown ids are never remembered, and the map is cleared when it reaches its cap.
 */
final class VerifiedTokenCache {
    private static final int MAX_ENTRIES = 10_000;

    private record Entry(ApiTokenRepository.Stored stored, long loadedNanos) {}

    private final Map<UUID, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;

    VerifiedTokenCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** The remembered row, when it was read less than {@code ttl} ago. */
    Optional<ApiTokenRepository.Stored> get(UUID id) {
        if (ttlNanos <= 0) {
            return Optional.empty();
        }
        Entry e = entries.get(id);
        if (e == null || System.nanoTime() - e.loadedNanos() >= ttlNanos) {
            return Optional.empty();
        }
        return Optional.of(e.stored());
    }

    void remember(ApiTokenRepository.Stored stored) {
        if (ttlNanos <= 0) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(stored.token().id(), new Entry(stored, System.nanoTime()));
    }

    void forget(UUID id) {
        entries.remove(id);
    }
}
