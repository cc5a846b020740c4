package dev.wgmesh.dataplane.cookie;

import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.Limits;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token bucket per source address for handshake messages that arrive while the device is under load (whitepaper
 * §5.3 "rate limit ... per source IP"; wireguard-go ratelimiter.go: 20 per second, burst of 5).
 *
 * <p>IPv4 sources are keyed by address, IPv6 sources by their /64 (as Linux WireGuard does: one host usually owns a
 * whole /64, so per-address buckets would be trivially evaded). Entries idle for a second are dropped on the next
 * call after a GC interval, and the table is capped so a spoofed flood cannot grow it without bound.
 *
 * <p>Threading: thread-safe (locks itself); handshake path only, so boxing keys is acceptable.
 */
public final class HandshakeRateLimiter {
    private static final long PACKET_COST = 1_000_000_000L / Limits.HANDSHAKES_PER_SECOND_PER_SOURCE;
    private static final long MAX_TOKENS = PACKET_COST * Limits.HANDSHAKE_BURST_PER_SOURCE;

    private final LongSupplier nanoClock;

    // guarded by this
    private final Map<Long, Bucket> v4 = new HashMap<>();
    private final Map<Long, Bucket> v6 = new HashMap<>();
    private long lastGcNanos;

    private static final class Bucket {
        long tokens;
        long lastNanos;
    }

    public HandshakeRateLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastGcNanos = nanoClock.getAsLong();
    }

    /** True when a handshake message from {@code source} may be processed now (and takes a token for it). */
    public synchronized boolean allow(Endpoint source) {
        long now = nanoClock.getAsLong();
        if (now - lastGcNanos > Limits.RATE_LIMITER_GC_NANOS) {
            collect(now);
        }
        Map<Long, Bucket> table = source.isIpv6() ? v6 : v4;
        long key = prefixKey(source.addressBytes(), source.addressLength());
        Bucket b = table.get(key);
        if (b == null) {
            if (v4.size() + v6.size() >= Limits.RATE_LIMITER_MAX_ENTRIES) {
                return false;
            }
            b = new Bucket();
            b.tokens = MAX_TOKENS - PACKET_COST;
            b.lastNanos = now;
            table.put(key, b);
            return true;
        }
        b.tokens = Math.min(MAX_TOKENS, b.tokens + (now - b.lastNanos));
        b.lastNanos = now;
        if (b.tokens >= PACKET_COST) {
            b.tokens -= PACKET_COST;
            return true;
        }
        return false;
    }

    /** Number of tracked sources (for tests and statistics). */
    public synchronized int size() {
        return v4.size() + v6.size();
    }

    private void collect(long now) {
        lastGcNanos = now;
        for (Map<Long, Bucket> table : java.util.List.of(v4, v6)) {
            for (Iterator<Bucket> it = table.values().iterator(); it.hasNext(); ) {
                if (now - it.next().lastNanos > Limits.RATE_LIMITER_GC_NANOS) {
                    it.remove();
                }
            }
        }
    }

    private static long prefixKey(byte[] addr, int len) {
        long key = 0;
        int n = len == 4 ? 4 : 8;
        for (int i = 0; i < n; i++) {
            key = (key << 8) | (addr[i] & 0xff);
        }
        return key;
    }
}
