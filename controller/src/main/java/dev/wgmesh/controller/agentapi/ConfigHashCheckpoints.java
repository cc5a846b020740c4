package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * {@link ConfigEntry#hash} of one agent's desired configuration, recomputed after a change from the last SHA-256
 * state that the change did not touch instead of from the start.
 *
 * <p>The contract's hash is SHA-256 over the interface field, then every peer field sorted by public key, so it cannot
 * be updated in place; but the digest state after a prefix of that sequence stays valid while nothing in the prefix
 * changes. Every {@link #STRIDE} peers a copy of the state is kept, keyed by the public key of the next peer:
 *
 * <pre>
 *   iface | p1 p2 ... p128 | p129 ... p256 | p257 ...
 *         ^ checkpoint[p129] = state after iface..p128
 * </pre>
 *
 * A change to peer k drops the checkpoints above k; the next hash resumes from the highest one left. With a new peer
 * at a random position that halves the bytes hashed, and the bytes go to the digest in blocks of up to
 * {@link #SCRATCH} bytes (one update per peer cost twice as much as the hashing itself at 1,000 peers). Memory: about
 * 0.5 KiB per checkpoint, 8 for a 1,000-peer map.
 *
 * <p>Not thread-safe: the owning {@link AgentSession} calls it under its lock.
 */
final class ConfigHashCheckpoints {
    static final int STRIDE = 128;
    private static final int SCRATCH = 16 * 1024;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[SCRATCH]);

    /** Key k: the digest state after the interface field and every peer field with a key below k. */
    private final TreeMap<ByteString, MessageDigest> checkpoints =
            new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    /** The state after the interface field alone; null when the interface changed since. */
    private MessageDigest afterInterface;

    /** Call when the interface changes or the peers are replaced wholesale. */
    void invalidateAll() {
        checkpoints.clear();
        afterInterface = null;
    }

    /** Call when the peer with this key is added, changed or removed. */
    void invalidateFrom(ByteString key) {
        checkpoints.tailMap(key, false).clear();
    }

    /** Same value as {@link ConfigEntry#hash}{@code (interfaceField, peers.values())}. */
    String hash(byte[] interfaceField, NavigableMap<ByteString, ConfigEntry> peers) {
        if (afterInterface == null) {
            afterInterface = sha256();
            afterInterface.update(interfaceField);
        }
        Map.Entry<ByteString, MessageDigest> from = checkpoints.lastEntry();
        MessageDigest sha = copy(from == null ? afterInterface : from.getValue());
        Iterable<Map.Entry<ByteString, ConfigEntry>> rest = from == null
                ? peers.entrySet()
                : peers.tailMap(from.getKey(), true).entrySet();
        byte[] buf = BUFFER.get();
        int used = 0;
        int sinceCheckpoint = 0;
        for (Map.Entry<ByteString, ConfigEntry> e : rest) {
            if (sinceCheckpoint == STRIDE) {
                sha.update(buf, 0, used);
                used = 0;
                sinceCheckpoint = 0;
                checkpoints.put(e.getKey(), copy(sha));
            }
            byte[] field = e.getValue().canonicalField();
            if (used + field.length > buf.length) {
                sha.update(buf, 0, used);
                used = 0;
            }
            if (field.length > buf.length) {
                sha.update(field);
            } else {
                System.arraycopy(field, 0, buf, used, field.length);
                used += field.length;
            }
            sinceCheckpoint++;
        }
        sha.update(buf, 0, used);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Checkpoints held (tests). */
    int size() {
        return checkpoints.size();
    }

    private static MessageDigest copy(MessageDigest sha) {
        try {
            return (MessageDigest) sha.clone();
        } catch (CloneNotSupportedException ex) {
            throw new IllegalStateException("the JDK's SHA-256 is cloneable", ex);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
