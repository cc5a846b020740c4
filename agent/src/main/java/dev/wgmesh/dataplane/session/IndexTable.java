package dev.wgmesh.dataplane.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.random.RandomGenerator;

/**
 * The device-wide map from our 32-bit session indices (the "sender"/"receiver" fields of whitepaper §5.4) to
 * whatever the device keeps for them: a pending handshake, later the keypair it became (wireguard-go {@code
 * indextable.go}).
 *
 * <p>Indices are random (from {@link SecureRandom}) so they reveal nothing and cannot be guessed; 0 and {@code
 * 0xffffffff} are never handed out (0 marks an empty slot, −1 a deleted one).
 *
 * <p>Concurrency: {@link #lookup} — called for every received transport packet — takes no lock and does not
 * allocate; it reads an open-addressing table (linear probing) published with release/acquire ordering. Writers
 * ({@link #register}, {@link #replace}, {@link #remove}) synchronize on the table; a writer that needs more room
 * rehashes into a fresh table and publishes it. A slot is filled value-then-key and emptied key-then-value, and a
 * reader re-reads the key after the value, so it never returns a value under another index.
 */
public final class IndexTable<T> {
    private static final int EMPTY = 0;
    private static final int DELETED = -1;
    private static final int MIN_CAPACITY = 64;
    private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(Object[].class);

    private record Slots(int[] keys, Object[] values) {
        int mask() {
            return keys.length - 1;
        }
    }

    private final RandomGenerator random;
    private volatile Slots slots = new Slots(new int[MIN_CAPACITY], new Object[MIN_CAPACITY]);
    // guarded by this
    private int size;
    // guarded by this: live entries plus DELETED markers, drives rehashing
    private int used;

    public IndexTable() {
        this(new SecureRandom());
    }

    /** For tests that need reproducible indices; production uses the {@link SecureRandom} constructor. */
    public IndexTable(RandomGenerator random) {
        this.random = random;
    }

    /** Registers {@code value} under a fresh random index and returns the index. */
    public synchronized int register(T value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        while (true) {
            int index = random.nextInt();
            if (index != EMPTY && index != DELETED && find(slots, index) < 0) {
                insert(index, value);
                return index;
            }
        }
    }

    /** The value registered under {@code index}, or null. Lock-free and allocation-free. */
    @SuppressWarnings("unchecked")
    public T lookup(int index) {
        if (index == EMPTY || index == DELETED) {
            return null;
        }
        Slots s = slots;
        int[] keys = s.keys;
        Object[] values = s.values;
        int mask = s.mask();
        for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
            int k = (int) KEYS.getAcquire(keys, i);
            if (k == EMPTY) {
                return null;
            }
            if (k == index) {
                Object v = VALUES.getAcquire(values, i);
                // The slot may have been emptied and reused between the two reads.
                return (int) KEYS.getAcquire(keys, i) == index ? (T) v : null;
            }
        }
    }

    /**
     * Replaces the value under an existing index, keeping the index (a handshake becoming a keypair).
     *
     * @return false, changing nothing, if {@code index} is not registered
     */
    public synchronized boolean replace(int index, T value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        Slots s = slots;
        int i = find(s, index);
        if (i < 0) {
            return false;
        }
        VALUES.setRelease(s.values, i, value);
        return true;
    }

    /**
     * Replaces the value under {@code index} only if it currently is {@code expected} (identity).
     *
     * @return whether it was replaced
     */
    public synchronized boolean replace(int index, T expected, T value) {
        Slots s = slots;
        int i = find(s, index);
        if (i < 0 || s.values[i] != expected) {
            return false;
        }
        VALUES.setRelease(s.values, i, value);
        return true;
    }

    /** Removes {@code index}; returns the value it had, or null. */
    @SuppressWarnings("unchecked")
    public synchronized T remove(int index) {
        Slots s = slots;
        int i = find(s, index);
        if (i < 0) {
            return null;
        }
        Object old = s.values[i];
        KEYS.setRelease(s.keys, i, DELETED);
        VALUES.setRelease(s.values, i, null);
        size--;
        return (T) old;
    }

    /** Removes {@code index} only if it maps to {@code expected} (identity); returns whether it did. */
    public synchronized boolean remove(int index, T expected) {
        Slots s = slots;
        int i = find(s, index);
        if (i < 0 || s.values[i] != expected) {
            return false;
        }
        remove(index);
        return true;
    }

    public synchronized int size() {
        return size;
    }

    // Writers only (holding the lock): slot of index, or -1.
    private static int find(Slots s, int index) {
        if (index == EMPTY || index == DELETED) {
            return -1;
        }
        int mask = s.mask();
        for (int i = mix(index) & mask; ; i = (i + 1) & mask) {
            int k = s.keys[i];
            if (k == EMPTY) {
                return -1;
            }
            if (k == index) {
                return i;
            }
        }
    }

    private void insert(int index, Object value) {
        Slots s = slots;
        if ((used + 1) * 2 > s.keys.length) {
            s = rehash(Math.max(MIN_CAPACITY, Integer.highestOneBit(Math.max(1, size + 1) * 4)));
        }
        int mask = s.mask();
        int i = mix(index) & mask;
        while (s.keys[i] != EMPTY && s.keys[i] != DELETED) {
            i = (i + 1) & mask;
        }
        if (s.keys[i] == EMPTY) {
            used++;
        }
        VALUES.setRelease(s.values, i, value);
        KEYS.setRelease(s.keys, i, index);
        size++;
    }

    /** Copies live entries into a fresh table (dropping DELETED markers) and publishes it. */
    private Slots rehash(int capacity) {
        Slots old = slots;
        Slots fresh = new Slots(new int[capacity], new Object[capacity]);
        int mask = capacity - 1;
        for (int j = 0; j < old.keys.length; j++) {
            int k = old.keys[j];
            if (k != EMPTY && k != DELETED) {
                int i = mix(k) & mask;
                while (fresh.keys[i] != EMPTY) {
                    i = (i + 1) & mask;
                }
                fresh.keys[i] = k;
                fresh.values[i] = old.values[j];
            }
        }
        used = size;
        slots = fresh; // volatile publish: readers see a fully built table
        return fresh;
    }

    /** Indices are random already; the mix only guards against a weak generator in tests. */
    private static int mix(int index) {
        int h = index * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
