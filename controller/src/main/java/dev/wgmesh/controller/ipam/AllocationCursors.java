package dev.wgmesh.controller.ipam;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * This process's guess of the next free host index per network prefix, so that an allocation normally costs one
 * insert instead of a {@code max()} query plus an insert, and so that concurrent creations in this process pick
 * distinct candidates instead of all probing the same one (inside a transaction, a probe of a row another open
 * transaction inserted waits for that transaction to end).
 *
 * <p>Only a hint: the primary key of {@code ip_allocation} stays the authority. A guess that another replica took
 * conflicts, and the allocator then re-reads the highest index in use and moves the cursor past it. The map is
 * bounded; dropping an entry only costs one {@code max()} query.
 */
final class AllocationCursors {
    private static final int MAX_ENTRIES = 10_000;

    /** Keyed by the prefix itself (a record: value equality), not its text, which took formatting on every take. */
    private record Key(UUID networkId, Cidr prefix) {}

    private final Map<Key, BigInteger> next = new HashMap<>();

    /** The next candidate, advancing the cursor; null when this process has no cursor for the prefix yet. */
    synchronized BigInteger take(UUID networkId, Cidr prefix) {
        Key k = new Key(networkId, prefix);
        BigInteger v = next.get(k);
        if (v != null) {
            next.put(k, v.add(BigInteger.ONE));
        }
        return v;
    }

    /** The next candidate that is at least {@code floor} (one above the highest index in use), advancing the cursor. */
    synchronized BigInteger takeAtLeast(UUID networkId, Cidr prefix, BigInteger floor) {
        Key k = new Key(networkId, prefix);
        BigInteger v = next.get(k);
        if (v == null || v.compareTo(floor) < 0) {
            v = floor;
        }
        if (next.size() >= MAX_ENTRIES && !next.containsKey(k)) {
            next.clear();
        }
        next.put(k, v.add(BigInteger.ONE));
        return v;
    }

    /**
     * Undoes a {@link #take} whose allocation rolled back, when nothing was taken after it: a failed creation (a
     * duplicate name, say) then leaves no hole in the dense sequence.
     */
    synchronized void giveBack(UUID networkId, Cidr prefix, BigInteger taken) {
        Key k = new Key(networkId, prefix);
        BigInteger v = next.get(k);
        if (v != null && v.equals(taken.add(BigInteger.ONE))) {
            next.put(k, taken);
        }
    }
}
