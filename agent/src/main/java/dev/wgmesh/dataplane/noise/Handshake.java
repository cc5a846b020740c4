package dev.wgmesh.dataplane.noise;

import dev.wgmesh.dataplane.crypto.AeadKey;
import dev.wgmesh.dataplane.crypto.Blake2s;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.crypto.ConstantTime;
import dev.wgmesh.dataplane.crypto.Kdf;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.Tai64n;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.message.InitiationMessage;
import dev.wgmesh.dataplane.message.ResponseMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.time.Clock;
import java.util.Arrays;

/**
 * One peer's Noise_IKpsk2 handshake (whitepaper §5.4.2-§5.4.5), either side. Writes and reads the message bodies
 * only: mac1/mac2 are added and checked by the cookie package, which owns the DoS defences.
 *
 * <p>Each step first computes into temporaries and commits to this object only when every check passed, so a
 * forged or replayed message never disturbs a handshake in progress.
 *
 * <p>Threading: every method locks this object (handshakes are rare; the data path never touches it).
 */
public final class Handshake {
    private static final ThreadLocal<ChaChaPoly> AEAD = ThreadLocal.withInitial(ChaChaPoly::new);
    private static final byte[] EMPTY = new byte[0];
    private static final long NEVER = Long.MIN_VALUE;

    private final byte[] remoteStatic;
    private final IndexAllocator indices;
    private final Clock wallClock;

    // guarded by this
    private LocalIdentity local;
    private final byte[] precomputedStaticStatic = new byte[32];
    private boolean staticStaticValid;
    private final byte[] presharedKey = new byte[32];
    private final byte[] initialHash;

    private HandshakeState state = HandshakeState.ZEROED;
    private final byte[] hash = new byte[32];
    private final byte[] chainKey = new byte[32];
    private final byte[] localEphemeral = new byte[32];
    private final byte[] remoteEphemeral = new byte[32];
    private int localIndex;
    private int remoteIndex;
    /** Greatest TAI64N accepted from the peer (replay protection, §5.1). */
    private final byte[] lastTimestamp = new byte[Tai64n.LEN];
    /** Greatest TAI64N we sent, so ours stay strictly increasing even within one clock tick. */
    private final byte[] lastSentTimestamp = new byte[Tai64n.LEN];

    private long lastInitiationConsumedNanos = NEVER;

    /**
     * @param remoteStatic the peer's static public key (32 bytes)
     * @param indices where local sender indices come from
     * @param wallClock source of TAI64N timestamps
     */
    public Handshake(byte[] remoteStatic, IndexAllocator indices, Clock wallClock) {
        if (remoteStatic.length != 32) {
            throw new IllegalArgumentException("public key must be 32 bytes");
        }
        this.remoteStatic = remoteStatic.clone();
        this.indices = indices;
        this.wallClock = wallClock;
        this.initialHash = NoiseConstants.initialHash(this.remoteStatic);
    }

    public Handshake(byte[] remoteStatic, IndexAllocator indices) {
        this(remoteStatic, indices, Clock.systemUTC());
    }

    /** The peer's static public key; callers must not modify it. */
    public byte[] remoteStatic() {
        return remoteStatic;
    }

    /**
     * Sets (or clears, with null) our identity and precomputes DH(S_priv, S_pub_peer) (§5.4.2 "ss"). Any handshake
     * in progress is abandoned. A peer whose key gives an all-zero "ss" (a low-order point) can never handshake.
     */
    public synchronized void setLocalIdentity(LocalIdentity identity) {
        clearLocked();
        this.local = identity;
        staticStaticValid = identity != null && identity.dh(remoteStatic, 0, precomputedStaticStatic);
        if (!staticStaticValid) {
            Keys.wipe(precomputedStaticStatic);
        }
    }

    /** Sets the preshared key Q (32 bytes; all zero or null = none, which Noise psk2 treats as zeros). */
    public synchronized void setPresharedKey(byte[] psk) {
        if (psk == null) {
            Keys.wipe(presharedKey);
        } else {
            System.arraycopy(psk, 0, presharedKey, 0, 32);
        }
    }

    public synchronized HandshakeState state() {
        return state;
    }

    /** True when both our key and the peer's key allow a handshake. */
    public synchronized boolean canHandshake() {
        return local != null && staticStaticValid;
    }

    /**
     * Initiator, §5.4.2: writes an initiation (without mac1/mac2) to {@code out[off..off+148)} and allocates a new
     * local index for it.
     *
     * @return the new local sender index
     * @throws IllegalStateException when there is no usable local key (a local fault)
     */
    public synchronized int createInitiation(byte[] out, int off) {
        if (!canHandshake()) {
            throw new IllegalStateException("no usable static key pair for this peer");
        }
        byte[] h = initialHash.clone();
        byte[] ck = NoiseConstants.initialChainKey();
        byte[] ephemeral = Keys.generatePrivateKey();
        byte[] ephemeralPublic = X25519.publicKey(ephemeral);
        byte[] dh = new byte[32];
        try {
            System.arraycopy(ephemeralPublic, 0, out, off + InitiationMessage.EPHEMERAL, 32);
            ck = swap(ck, mixKey1(ck, ephemeralPublic));
            Blake2s.mixHash(h, ephemeralPublic, 0, 32);
            if (!X25519.sharedSecret(ephemeral, remoteStatic, 0, dh, 0)) {
                throw new IllegalStateException("peer public key is a low-order point");
            }
            byte[][] ckKey = Kdf.kdf2(ck, dh);
            ck = swap(ck, ckKey[0]);
            seal(ckKey[1], h, local.publicKey(), 0, 32, out, off + InitiationMessage.STATIC);
            Blake2s.mixHash(h, out, off + InitiationMessage.STATIC, InitiationMessage.STATIC_LEN);
            ckKey = Kdf.kdf2(ck, precomputedStaticStatic);
            ck = swap(ck, ckKey[0]);
            byte[] timestamp = nextTimestamp();
            seal(ckKey[1], h, timestamp, 0, Tai64n.LEN, out, off + InitiationMessage.TIMESTAMP);
            Blake2s.mixHash(h, out, off + InitiationMessage.TIMESTAMP, InitiationMessage.TIMESTAMP_LEN);

            indices.release(localIndex);
            localIndex = indices.allocate(this);
            InitiationMessage.writeHeader(out, off, localIndex);
            commit(HandshakeState.INITIATION_CREATED, h, ck);
            System.arraycopy(ephemeral, 0, localEphemeral, 0, 32);
            return localIndex;
        } finally {
            Keys.wipe(ephemeral);
            Keys.wipe(dh);
            Keys.wipe(ck);
        }
    }

    /**
     * Responder, §5.4.2: authenticates an initiation, finds its peer through {@code peers} and moves that peer's
     * handshake to {@link HandshakeState#INITIATION_CONSUMED}. mac1 must have been checked already.
     *
     * @param nowNanos monotonic time, for flood protection
     * @return the peer's handshake, or null when the message does not authenticate, names no known peer, is a
     *     replay (timestamp not strictly newer) or arrives faster than {@link
     *     WireGuardSpec#HANDSHAKE_INITIATION_RATE_NANOS} after the last accepted one
     */
    public static Handshake consumeInitiation(
            LocalIdentity local, PeerLookup peers, byte[] msg, int off, long nowNanos) {
        byte[] h = local.initialHash().clone();
        byte[] ck = NoiseConstants.initialChainKey();
        byte[] dh = new byte[32];
        byte[] peerStatic = new byte[32];
        try {
            int ephemeralOff = off + InitiationMessage.EPHEMERAL;
            ck = swap(ck, mixKey1(ck, msg, ephemeralOff));
            Blake2s.mixHash(h, msg, ephemeralOff, 32);
            if (!local.dh(msg, ephemeralOff, dh)) {
                return null;
            }
            byte[][] ckKey = Kdf.kdf2(ck, dh);
            ck = swap(ck, ckKey[0]);
            if (!open(ckKey[1], h, msg, off + InitiationMessage.STATIC, InitiationMessage.STATIC_LEN, peerStatic)) {
                return null;
            }
            Blake2s.mixHash(h, msg, off + InitiationMessage.STATIC, InitiationMessage.STATIC_LEN);
            Handshake hs = peers.lookup(peerStatic, 0);
            if (hs == null) {
                return null;
            }
            return hs.consumeInitiationLocked(local, h, ck, msg, off, nowNanos) ? hs : null;
        } finally {
            Keys.wipe(dh);
            Keys.wipe(ck);
        }
    }

    private synchronized boolean consumeInitiationLocked(
            LocalIdentity expected, byte[] h, byte[] ck, byte[] msg, int off, long nowNanos) {
        if (local != expected || !staticStaticValid) {
            return false; // our key changed while the message was in flight
        }
        byte[][] ckKey = Kdf.kdf2(ck, precomputedStaticStatic);
        Keys.wipe(ck);
        byte[] timestamp = new byte[Tai64n.LEN];
        if (!open(ckKey[1], h, msg, off + InitiationMessage.TIMESTAMP, InitiationMessage.TIMESTAMP_LEN, timestamp)) {
            return false;
        }
        Blake2s.mixHash(h, msg, off + InitiationMessage.TIMESTAMP, InitiationMessage.TIMESTAMP_LEN);
        if (!Tai64n.isAfter(timestamp, 0, lastTimestamp, 0)) {
            return false; // replayed initiation (§5.1)
        }
        if (lastInitiationConsumedNanos != NEVER
                && nowNanos - lastInitiationConsumedNanos < WireGuardSpec.HANDSHAKE_INITIATION_RATE_NANOS) {
            return false; // flood
        }
        System.arraycopy(timestamp, 0, lastTimestamp, 0, Tai64n.LEN);
        lastInitiationConsumedNanos = nowNanos;
        System.arraycopy(msg, off + InitiationMessage.EPHEMERAL, remoteEphemeral, 0, 32);
        remoteIndex = InitiationMessage.sender(msg, off);
        commit(HandshakeState.INITIATION_CONSUMED, h, ckKey[0]);
        return true;
    }

    /**
     * Responder, §5.4.3: writes the response (without mac1/mac2) to {@code out[off..off+92)}.
     *
     * @return the new local sender index, or 0 when there is no consumed initiation to answer
     */
    public synchronized int createResponse(byte[] out, int off) {
        if (!state.canCreateResponse()) {
            return 0;
        }
        byte[] h = hash.clone();
        byte[] ephemeral = Keys.generatePrivateKey();
        byte[] ephemeralPublic = X25519.publicKey(ephemeral);
        byte[] dh = new byte[32];
        try {
            System.arraycopy(ephemeralPublic, 0, out, off + ResponseMessage.EPHEMERAL, 32);
            byte[] ck = mixKey1(chainKey, ephemeralPublic);
            Blake2s.mixHash(h, ephemeralPublic, 0, 32);
            if (!X25519.sharedSecret(ephemeral, remoteEphemeral, 0, dh, 0)) {
                return 0;
            }
            ck = swap(ck, Kdf.kdf1(ck, dh));
            if (!X25519.sharedSecret(ephemeral, remoteStatic, 0, dh, 0)) {
                return 0;
            }
            ck = swap(ck, Kdf.kdf1(ck, dh));
            byte[][] ckTauKey = Kdf.kdf3(ck, presharedKey);
            Keys.wipe(ck);
            Blake2s.mixHash(h, ckTauKey[1], 0, 32);
            seal(ckTauKey[2], h, EMPTY, 0, 0, out, off + ResponseMessage.EMPTY);
            Blake2s.mixHash(h, out, off + ResponseMessage.EMPTY, ResponseMessage.EMPTY_LEN);

            indices.release(localIndex);
            localIndex = indices.allocate(this);
            ResponseMessage.writeHeader(out, off, localIndex, remoteIndex);
            commit(HandshakeState.RESPONSE_CREATED, h, ckTauKey[0]);
            Keys.wipe(ckTauKey[1]);
            Keys.wipe(ckTauKey[2]);
            return localIndex;
        } finally {
            Keys.wipe(ephemeral);
            Keys.wipe(dh);
        }
    }

    /**
     * Initiator, §5.4.3: authenticates a response to our last initiation. The caller found this handshake by the
     * message's receiver index; mac1 must have been checked already.
     *
     * @return true when the response authenticated and keys can be derived
     */
    public synchronized boolean consumeResponse(byte[] msg, int off) {
        if (!state.canConsumeResponse() || ResponseMessage.receiver(msg, off) != localIndex || local == null) {
            return false;
        }
        byte[] h = hash.clone();
        byte[] dh = new byte[32];
        try {
            int ephemeralOff = off + ResponseMessage.EPHEMERAL;
            byte[] ck = mixKey1(chainKey, msg, ephemeralOff);
            Blake2s.mixHash(h, msg, ephemeralOff, 32);
            if (!X25519.sharedSecret(localEphemeral, msg, ephemeralOff, dh, 0)) {
                return false;
            }
            ck = swap(ck, Kdf.kdf1(ck, dh));
            if (!local.dh(msg, ephemeralOff, dh)) {
                return false;
            }
            ck = swap(ck, Kdf.kdf1(ck, dh));
            byte[][] ckTauKey = Kdf.kdf3(ck, presharedKey);
            Keys.wipe(ck);
            Blake2s.mixHash(h, ckTauKey[1], 0, 32);
            if (!open(ckTauKey[2], h, msg, off + ResponseMessage.EMPTY, ResponseMessage.EMPTY_LEN, EMPTY)) {
                return false;
            }
            Blake2s.mixHash(h, msg, off + ResponseMessage.EMPTY, ResponseMessage.EMPTY_LEN);
            remoteIndex = ResponseMessage.sender(msg, off);
            commit(HandshakeState.RESPONSE_CONSUMED, h, ckTauKey[0]);
            Keys.wipe(localEphemeral);
            return true;
        } finally {
            Keys.wipe(dh);
        }
    }

    /**
     * §5.4.5: derives the transport keys once both messages went through and zeroes the handshake. The local index
     * now names the session; its ownership passes to the returned keys (it is not released here).
     *
     * @return the keys, or null when the handshake is not complete
     */
    public synchronized SessionKeys deriveKeys(long nowNanos) {
        if (!state.canDeriveKeys()) {
            return null;
        }
        boolean initiator = state.isInitiatorSide();
        byte[][] keys = Kdf.kdf2(chainKey, EMPTY);
        AeadKey first = new AeadKey(keys[0]);
        AeadKey second = new AeadKey(keys[1]);
        Keys.wipe(keys[0]);
        Keys.wipe(keys[1]);
        SessionKeys session = initiator
                ? new SessionKeys(first, second, localIndex, remoteIndex, true, nowNanos)
                : new SessionKeys(second, first, localIndex, remoteIndex, false, nowNanos);
        localIndex = 0; // owned by the session now
        wipeState();
        return session;
    }

    /** Abandons any handshake in progress and releases its index. Keeps replay/flood history and keys. */
    public synchronized void clear() {
        clearLocked();
    }

    /** The local index of the handshake in progress (0 when none). */
    public synchronized int localIndex() {
        return localIndex;
    }

    /** True when {@code key} equals the peer's static key, in constant time. */
    public boolean hasRemoteStatic(byte[] key, int off) {
        return ConstantTime.equals(remoteStatic, 0, key, off, 32);
    }

    /** Wipes all secrets: handshake state, preshared key and the precomputed static-static DH. */
    public synchronized void destroy() {
        clearLocked();
        Keys.wipe(presharedKey);
        Keys.wipe(precomputedStaticStatic);
        staticStaticValid = false;
        local = null;
    }

    private void clearLocked() {
        indices.release(localIndex);
        localIndex = 0;
        wipeState();
    }

    private void wipeState() {
        state = HandshakeState.ZEROED;
        Keys.wipe(hash);
        Keys.wipe(chainKey);
        Keys.wipe(localEphemeral);
        Keys.wipe(remoteEphemeral);
        remoteIndex = 0;
    }

    private void commit(HandshakeState next, byte[] h, byte[] ck) {
        System.arraycopy(h, 0, hash, 0, 32);
        System.arraycopy(ck, 0, chainKey, 0, 32);
        Keys.wipe(ck);
        state = next;
    }

    /** TAI64N now, bumped past the last one we sent when the (coarse) clock has not moved on. */
    private byte[] nextTimestamp() {
        byte[] ts = new byte[Tai64n.LEN];
        Tai64n.write(wallClock.instant(), ts, 0);
        if (!Tai64n.isAfter(ts, 0, lastSentTimestamp, 0)) {
            System.arraycopy(lastSentTimestamp, 0, ts, 0, Tai64n.LEN);
            Tai64n.increment(ts, 0);
        }
        System.arraycopy(ts, 0, lastSentTimestamp, 0, Tai64n.LEN);
        return ts;
    }

    /** Wipes a temporary chaining key that {@code fresh} replaces (never the committed {@link #chainKey}). */
    private static byte[] swap(byte[] old, byte[] fresh) {
        Keys.wipe(old);
        return fresh;
    }

    /** C = KDF1(C, data): the Noise MixKey of a public value. */
    private static byte[] mixKey1(byte[] ck, byte[] data) {
        return Kdf.kdf1(ck, data);
    }

    private static byte[] mixKey1(byte[] ck, byte[] msg, int off) {
        return Kdf.kdf1(ck, Arrays.copyOfRange(msg, off, off + 32));
    }

    private static void seal(byte[] key, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        AeadKey k = new AeadKey(key);
        try {
            AEAD.get().seal(k, 0, ad, 0, ad.length, in, inOff, len, out, outOff);
        } finally {
            k.destroy();
            Keys.wipe(key);
        }
    }

    private static boolean open(byte[] key, byte[] ad, byte[] in, int inOff, int len, byte[] out) {
        AeadKey k = new AeadKey(key);
        try {
            return AEAD.get().open(k, 0, ad, 0, ad.length, in, inOff, len, out, 0) >= 0;
        } finally {
            k.destroy();
            Keys.wipe(key);
        }
    }

    @Override
    public String toString() {
        return "Handshake[peer=" + Keys.toBase64(remoteStatic) + "]";
    }
}
