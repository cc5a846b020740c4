package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The peers of one agent's desired configuration, by public key: an open-addressing table (linear probing) of the
 * entries themselves, since an entry carries its key. Every connected agent holds one with an entry per peer of its
 * network, so its size is the controller's memory per agent: a reference per slot at most two-thirds full (~6 bytes
 * per peer) where a {@code TreeMap} spent a 40-byte node per peer (1,000 agents of 1,000 peers: 40 MB).
 *
 * <p>Deletion shifts later entries of the probe run back (Knuth, TAOCP vol. 3, §6.4, Algorithm R), so there are no
 * tombstones and a lookup stops at the first empty slot. Not thread-safe: the owning session's lock guards it.
 */
final class PeerTable {
    private static final int MIN_CAPACITY = 8;
    private static final Comparator<ConfigEntry> BY_KEY =
            Comparator.comparing(PeerTable::keyOf, ByteString.unsignedLexicographicalComparator());

    private ConfigEntry[] slots = new ConfigEntry[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    ConfigEntry get(ByteString key) {
        int i = find(key);
        return i < 0 ? null : slots[i];
    }

    /** Puts {@code entry} under its own public key; returns the entry it replaced, or null. */
    ConfigEntry put(ConfigEntry entry) {
        ByteString key = keyOf(entry);
        int mask = slots.length - 1;
        int i = home(key, mask);
        for (ConfigEntry e = slots[i]; e != null; e = slots[i]) {
            if (keyOf(e).equals(key)) {
                slots[i] = entry;
                return e;
            }
            i = (i + 1) & mask;
        }
        slots[i] = entry;
        if (++size * 3 > slots.length * 2) {
            resize(slots.length * 2);
        }
        return null;
    }

    /** Removes the entry of {@code key}; returns it, or null when there was none. */
    ConfigEntry remove(ByteString key) {
        int i = find(key);
        if (i < 0) {
            return null;
        }
        ConfigEntry removed = slots[i];
        int mask = slots.length - 1;
        // Algorithm R: move back each later entry of the run whose home is not cyclically in (i, j].
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int k = home(keyOf(slots[j]), mask);
            boolean stays = i <= j ? i < k && k <= j : i < k || k <= j;
            if (!stays) {
                slots[i] = slots[j];
                i = j;
            }
        }
        slots[i] = null;
        size--;
        return removed;
    }

    /** Empties the table, keeping its capacity (a whole map is usually replaced by one of the same size). */
    void clear() {
        Arrays.fill(slots, null);
        size = 0;
    }

    void forEach(Consumer<ConfigEntry> action) {
        for (ConfigEntry e : slots) {
            if (e != null) {
                action.accept(e);
            }
        }
    }

    /** The entries in unsigned lexicographic order of their keys (a stable order for Snapshots). */
    List<ConfigEntry> sorted() {
        List<ConfigEntry> out = new ArrayList<>(size);
        forEach(out::add);
        out.sort(BY_KEY);
        return out;
    }

    /** A copy as a map by public key. */
    Map<ByteString, ConfigEntry> toMap() {
        Map<ByteString, ConfigEntry> out = HashMap.newHashMap(size);
        forEach(e -> out.put(keyOf(e), e));
        return out;
    }

    static ByteString keyOf(ConfigEntry e) {
        return e.config().getPublicKey();
    }

    private int find(ByteString key) {
        int mask = slots.length - 1;
        for (int i = home(key, mask); slots[i] != null; i = (i + 1) & mask) {
            if (keyOf(slots[i]).equals(key)) {
                return i;
            }
        }
        return -1;
    }

    private static int home(ByteString key, int mask) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) * 0x9E3779B9 >>> 7 & mask;
    }

    private void resize(int capacity) {
        ConfigEntry[] old = slots;
        slots = new ConfigEntry[capacity];
        int mask = capacity - 1;
        for (ConfigEntry e : old) {
            if (e != null) {
                int i = home(keyOf(e), mask);
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = e;
            }
        }
    }
}
