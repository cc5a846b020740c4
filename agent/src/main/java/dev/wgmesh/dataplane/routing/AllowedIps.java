package dev.wgmesh.dataplane.routing;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Cryptokey routing table (whitepaper §2): IPv4 and IPv6 prefixes, each owned by one value (a peer), with
 * longest-prefix-match lookup — used to pick the peer for an outgoing packet's destination and to check an
 * incoming packet's source.
 *
 * <p>Structure: one path-compressed binary trie per family, as wireguard-go's {@code allowedips.go}. A node holds
 * a prefix (address as two 64-bit halves, left-aligned, so IPv4 uses the top 32 bits of {@code hi}) and its owner
 * or null; its two children split on the bit just after its prefix. Nodes are immutable: a writer copies the
 * path from the root to the change (≤ 129 nodes) and publishes the new root with a volatile write, so readers
 * (RCU-style) never lock, never allocate and always see a consistent trie.
 *
 * <p>Writers ({@link #insert}, {@link #remove}, {@link #removeAll}, {@link #clear}) are serialized on this object;
 * the per-value prefix lists they maintain are writer-side state, read under the same lock.
 *
 * <p>Semantics follow WireGuard: inserting a prefix that another value owns moves it to the new value
 * ({@code wg set ... allowed-ips} on one peer takes the range from another).
 */
public final class AllowedIps<T> {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** Immutable trie node; see the class comment. */
    private record Node(long hi, long lo, int bits, Object value, Node zero, Node one) {
        Node withValue(Object v) {
            return new Node(hi, lo, bits, v, zero, one);
        }

        Node withChild(int bit, Node child) {
            return bit == 0 ? new Node(hi, lo, bits, value, child, one) : new Node(hi, lo, bits, value, zero, child);
        }

        Node child(int bit) {
            return bit == 0 ? zero : one;
        }
    }

    private volatile Node root4;
    private volatile Node root6;

    // Writer-side bookkeeping, guarded by this.
    private final Map<IpPrefix, T> owners = new HashMap<>();
    private final Map<T, LinkedHashSet<IpPrefix>> prefixesByValue = new IdentityHashMap<>();

    /**
     * Longest-prefix match of {@code addr[off..off+len)}: {@code len} 4 for IPv4, 16 for IPv6.
     *
     * @return the owner of the most specific prefix containing the address, or null (also for other lengths)
     */
    @SuppressWarnings("unchecked")
    public T lookup(byte[] addr, int off, int len) {
        Node node;
        long hi;
        long lo;
        int maxBits;
        if (len == 4) {
            node = root4;
            hi = ((long) (int) INT_BE.get(addr, off)) << 32;
            lo = 0;
            maxBits = 32;
        } else if (len == 16) {
            node = root6;
            hi = (long) LONG_BE.get(addr, off);
            lo = (long) LONG_BE.get(addr, off + 8);
            maxBits = 128;
        } else {
            return null;
        }
        Object found = null;
        while (node != null && matches(node, hi, lo, node.bits)) {
            if (node.value != null) {
                found = node.value;
            }
            if (node.bits == maxBits) {
                break;
            }
            node = node.child(bitAt(hi, lo, node.bits));
        }
        return (T) found;
    }

    /** {@link #lookup} of a whole 4- or 16-byte address. */
    public T lookup(byte[] addr) {
        return lookup(addr, 0, addr.length);
    }

    /**
     * Makes {@code value} the owner of {@code prefix}. A prefix owned by another value moves (and leaves that
     * value's list); re-inserting a prefix the value already owns keeps its position in {@link #prefixesOf}.
     */
    public synchronized void insert(IpPrefix prefix, T value) {
        if (value == null) {
            throw new IllegalArgumentException("value must not be null");
        }
        T previousOwner = owners.put(prefix, value);
        if (previousOwner == value) {
            return;
        }
        if (previousOwner != null) {
            forget(previousOwner, prefix);
        }
        prefixesByValue.computeIfAbsent(value, v -> new LinkedHashSet<>()).add(prefix);
        long hi = hi(prefix);
        long lo = lo(prefix);
        if (prefix.isIpv6()) {
            root6 = insert(root6, hi, lo, prefix.bits(), value);
        } else {
            root4 = insert(root4, hi, lo, prefix.bits(), value);
        }
    }

    /** Removes {@code prefix} whoever owns it; returns the previous owner or null. */
    public synchronized T remove(IpPrefix prefix) {
        T owner = owners.remove(prefix);
        if (owner == null) {
            return null;
        }
        forget(owner, prefix);
        removeFromTrie(prefix);
        return owner;
    }

    /** Removes every prefix of {@code value} (peer removal, {@code replace_allowed_ips}); returns how many. */
    public synchronized int removeAll(T value) {
        LinkedHashSet<IpPrefix> prefixes = prefixesByValue.remove(value);
        if (prefixes == null) {
            return 0;
        }
        for (IpPrefix p : prefixes) {
            owners.remove(p);
            removeFromTrie(p);
        }
        return prefixes.size();
    }

    /** The prefixes {@code value} owns, in the order they were first given to it (a snapshot). */
    public synchronized List<IpPrefix> prefixesOf(T value) {
        LinkedHashSet<IpPrefix> prefixes = prefixesByValue.get(value);
        return prefixes == null ? List.of() : List.copyOf(prefixes);
    }

    /** The owner of exactly {@code prefix} (not a longest match), or null. */
    public synchronized T ownerOf(IpPrefix prefix) {
        return owners.get(prefix);
    }

    /** Total number of prefixes in the table. */
    public synchronized int size() {
        return owners.size();
    }

    public synchronized void clear() {
        owners.clear();
        prefixesByValue.clear();
        root4 = null;
        root6 = null;
    }

    private void forget(T owner, IpPrefix prefix) {
        LinkedHashSet<IpPrefix> set = prefixesByValue.get(owner);
        if (set != null) {
            set.remove(prefix);
            if (set.isEmpty()) {
                prefixesByValue.remove(owner);
            }
        }
    }

    private void removeFromTrie(IpPrefix prefix) {
        long hi = hi(prefix);
        long lo = lo(prefix);
        if (prefix.isIpv6()) {
            root6 = remove(root6, hi, lo, prefix.bits());
        } else {
            root4 = remove(root4, hi, lo, prefix.bits());
        }
    }

    // ---- persistent trie operations (writers only) ----

    private static Node insert(Node node, long hi, long lo, int bits, Object value) {
        if (node == null) {
            return new Node(hi, lo, bits, value, null, null);
        }
        int common = Math.min(commonPrefix(node.hi, node.lo, hi, lo), Math.min(node.bits, bits));
        if (common == node.bits) {
            if (node.bits == bits) {
                return node.withValue(value);
            }
            int b = bitAt(hi, lo, node.bits);
            return node.withChild(b, insert(node.child(b), hi, lo, bits, value));
        }
        if (common == bits) {
            // The new prefix contains the node: it goes above it.
            return bitAt(node.hi, node.lo, bits) == 0
                    ? new Node(hi, lo, bits, value, node, null)
                    : new Node(hi, lo, bits, value, null, node);
        }
        // They diverge at bit `common`: a valueless branch node splits them.
        Node leaf = new Node(hi, lo, bits, value, null, null);
        long ghi = hi & mask(common);
        long glo = lo & mask(common - 64);
        return bitAt(hi, lo, common) == 0
                ? new Node(ghi, glo, common, null, leaf, node)
                : new Node(ghi, glo, common, null, node, leaf);
    }

    private static Node remove(Node node, long hi, long lo, int bits) {
        if (node == null || node.bits > bits || !matches(node, hi, lo, node.bits)) {
            return node;
        }
        if (node.bits == bits) {
            return collapse(node.zero, node.one, node, null);
        }
        int b = bitAt(hi, lo, node.bits);
        Node child = node.child(b);
        Node updated = remove(child, hi, lo, bits);
        if (updated == child) {
            return node;
        }
        Node zero = b == 0 ? updated : node.zero;
        Node one = b == 0 ? node.one : updated;
        return collapse(zero, one, node, node.value);
    }

    /** Rebuilds {@code node} with the given children and value, dropping it if a valueless node has < 2 children. */
    private static Node collapse(Node zero, Node one, Node node, Object value) {
        if (value == null) {
            if (zero == null) {
                return one;
            }
            if (one == null) {
                return zero;
            }
        }
        return new Node(node.hi, node.lo, node.bits, value, zero, one);
    }

    // ---- bit helpers: an address is (hi, lo), bit 0 = most significant bit of hi ----

    private static boolean matches(Node node, long hi, long lo, int bits) {
        if (bits <= 64) {
            return ((hi ^ node.hi) & mask(bits)) == 0;
        }
        return hi == node.hi && ((lo ^ node.lo) & mask(bits - 64)) == 0;
    }

    /** The top {@code n} bits set (n ≤ 0 gives 0, n ≥ 64 gives all). */
    private static long mask(int n) {
        if (n <= 0) {
            return 0;
        }
        return n >= 64 ? -1L : -1L << (64 - n);
    }

    private static int bitAt(long hi, long lo, int pos) {
        return pos < 64 ? (int) (hi >>> (63 - pos)) & 1 : (int) (lo >>> (127 - pos)) & 1;
    }

    private static int commonPrefix(long hi1, long lo1, long hi2, long lo2) {
        long x = hi1 ^ hi2;
        if (x != 0) {
            return Long.numberOfLeadingZeros(x);
        }
        return 64 + Long.numberOfLeadingZeros(lo1 ^ lo2);
    }

    private static long hi(IpPrefix p) {
        byte[] a = p.address();
        return a.length == 4 ? ((long) (int) INT_BE.get(a, 0)) << 32 : (long) LONG_BE.get(a, 0);
    }

    private static long lo(IpPrefix p) {
        byte[] a = p.address();
        return a.length == 4 ? 0 : (long) LONG_BE.get(a, 8);
    }
}
