package dev.wgmesh.dataplane.session;

import dev.wgmesh.dataplane.crypto.AeadKey;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.noise.SessionKeys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One direction pair of transport keys from a completed handshake (whitepaper §5.4.5): the send key, the receive
 * key, both session indices, when it was derived, which side initiated, the send counter and the receive replay
 * window.
 *
 * <p>Threading: {@link #nextSendCounter} is atomic and lock-free for any number of encrypting threads. The {@link
 * #replayFilter()} belongs to the peer's sequential receive stage (see {@link ReplayFilter}). Keys are set once in
 * the constructor and used by crypto threads; {@link #wipe} destroys them when the keypair is retired. A crypto
 * thread racing that wipe (it took a counter just before) gets {@link IllegalStateException} from the destroyed
 * {@link AeadKey}: it must drop that one packet — wipe exhausts the counter first, so the race is one packet wide.
 *
 * <p>{@link #toString()} never shows key material.
 */
public final class Keypair {
    private static final VarHandle SEND_COUNTER;

    static {
        try {
            SEND_COUNTER = MethodHandles.lookup().findVarHandle(Keypair.class, "sendCounter", long.class);
        } catch (ReflectiveOperationException ex) {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final AeadKey sendKey;
    private final AeadKey receiveKey;
    private final int localIndex;
    private final int remoteIndex;
    private final long createdNanos;
    private final boolean initiator;
    private final ReplayFilter replayFilter = new ReplayFilter();

    /** Next counter to hand out (unsigned). Only ever increases, except {@link #wipe} pinning it at the limit. */
    @SuppressWarnings("unused") // accessed through SEND_COUNTER
    private volatile long sendCounter;

    /**
     * Takes ownership of both keys: {@link #wipe} destroys them.
     *
     * @param sendKey key for messages we send
     * @param receiveKey key for messages we receive
     * @param localIndex our index, under which the peer addresses packets to us (the "receiver" field it sends)
     * @param remoteIndex the peer's index, written into every transport message we send
     * @param createdNanos monotonic time the keys were derived ({@code Clock.nanoTime()})
     * @param initiator whether we sent the initiation of the handshake that produced these keys
     */
    public Keypair(
            AeadKey sendKey,
            AeadKey receiveKey,
            int localIndex,
            int remoteIndex,
            long createdNanos,
            boolean initiator) {
        if (sendKey == null || receiveKey == null) {
            throw new IllegalArgumentException("keys must not be null");
        }
        this.sendKey = sendKey;
        this.receiveKey = receiveKey;
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
        this.initiator = initiator;
    }

    /** The keypair of a completed handshake ({@code Handshake.deriveKeys}); takes ownership of its keys. */
    public Keypair(SessionKeys keys) {
        this(
                keys.sendKey(),
                keys.receiveKey(),
                keys.localIndex(),
                keys.remoteIndex(),
                keys.createdNanos(),
                keys.initiator());
    }

    /**
     * Reserves the next send counter (the nonce of a transport message).
     *
     * @return the counter, or −1 once {@link WireGuardSpec#REJECT_AFTER_MESSAGES} counters were used (or after
     *     {@link #wipe}): the packet must not be sent with this keypair
     */
    public long nextSendCounter() {
        long n = (long) SEND_COUNTER.getAndAdd(this, 1L);
        if (Long.compareUnsigned(n, WireGuardSpec.REJECT_AFTER_MESSAGES) >= 0) {
            // Pin the counter so it can never wrap round to a reused nonce.
            SEND_COUNTER.setVolatile(this, WireGuardSpec.REJECT_AFTER_MESSAGES);
            return -1;
        }
        return n;
    }

    /** Counters handed out so far (unsigned), for the REKEY_AFTER_MESSAGES check. */
    public long sendCount() {
        return (long) SEND_COUNTER.getVolatile(this);
    }

    /** True once {@link WireGuardSpec#REKEY_AFTER_MESSAGES} counters have been used (whitepaper §6.2). */
    public boolean sendCountExceedsRekeyLimit() {
        return Long.compareUnsigned(sendCount(), WireGuardSpec.REKEY_AFTER_MESSAGES) > 0;
    }

    /** Age in nanoseconds at monotonic time {@code nowNanos}. */
    public long age(long nowNanos) {
        return nowNanos - createdNanos;
    }

    /** True once older than REJECT_AFTER_TIME: neither send nor accept with it (whitepaper §6.1). */
    public boolean isExpired(long nowNanos) {
        return age(nowNanos) >= WireGuardSpec.REJECT_AFTER_TIME_NANOS;
    }

    /** The send key; destroyed once the keypair is retired. */
    public AeadKey sendKey() {
        return sendKey;
    }

    /** The receive key; destroyed once the keypair is retired. */
    public AeadKey receiveKey() {
        return receiveKey;
    }

    public int localIndex() {
        return localIndex;
    }

    public int remoteIndex() {
        return remoteIndex;
    }

    public long createdNanos() {
        return createdNanos;
    }

    public boolean isInitiator() {
        return initiator;
    }

    public ReplayFilter replayFilter() {
        return replayFilter;
    }

    /** Exhausts the send counter, so no further packet is sent with this keypair, then destroys both keys. */
    public void wipe() {
        SEND_COUNTER.setVolatile(this, WireGuardSpec.REJECT_AFTER_MESSAGES);
        sendKey.destroy();
        receiveKey.destroy();
    }

    /** True once {@link #wipe} ran. */
    public boolean isWiped() {
        return sendKey.isDestroyed();
    }

    @Override
    public String toString() {
        return "Keypair[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", initiator=" + initiator + "]";
    }
}
