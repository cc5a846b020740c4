package dev.wgmesh.dataplane.session;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One direction pair of transport keys from a completed handshake (whitepaper §5.4.5): the send key, the receive
 * key, both session indices, when it was derived, which side initiated, the send counter and the receive replay
 * window.
 *
 * <p>Threading: {@link #nextSendCounter} is atomic and lock-free for any number of encrypting threads. The {@link
 * #replayFilter()} belongs to the peer's sequential receive stage (see {@link ReplayFilter}). Keys are written once
 * in the constructor and read by crypto threads; {@link #wipe} zeroes them when the keypair is retired.
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

    private final byte[] sendKey;
    private final byte[] receiveKey;
    private final int localIndex;
    private final int remoteIndex;
    private final long createdNanos;
    private final boolean initiator;
    private final ReplayFilter replayFilter = new ReplayFilter();

    /** Next counter to hand out (unsigned). Only ever increases, except {@link #wipe} pinning it at the limit. */
    @SuppressWarnings("unused") // accessed through SEND_COUNTER
    private volatile long sendCounter;

    /**
     * @param sendKey 32 bytes, copied
     * @param receiveKey 32 bytes, copied
     * @param localIndex our index, under which the peer addresses packets to us (the "receiver" field it sends)
     * @param remoteIndex the peer's index, written into every transport message we send
     * @param createdNanos monotonic time the keys were derived ({@code Clock.nanoTime()})
     * @param initiator whether we sent the initiation of the handshake that produced these keys
     */
    public Keypair(
            byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, long createdNanos, boolean initiator) {
        if (sendKey.length != 32 || receiveKey.length != 32) {
            throw new IllegalArgumentException("transport keys are 32 bytes");
        }
        this.sendKey = sendKey.clone();
        this.receiveKey = receiveKey.clone();
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.createdNanos = createdNanos;
        this.initiator = initiator;
    }

    /**
     * Reserves the next send counter (the nonce of a transport message).
     *
     * @return the counter, or −1 once {@link ProtocolTimes#REJECT_AFTER_MESSAGES} counters were used (or after
     *     {@link #wipe}): the packet must not be sent with this keypair
     */
    public long nextSendCounter() {
        long n = (long) SEND_COUNTER.getAndAdd(this, 1L);
        if (Long.compareUnsigned(n, ProtocolTimes.REJECT_AFTER_MESSAGES) >= 0) {
            // Pin the counter so it can never wrap round to a reused nonce.
            SEND_COUNTER.setVolatile(this, ProtocolTimes.REJECT_AFTER_MESSAGES);
            return -1;
        }
        return n;
    }

    /** Counters handed out so far (unsigned), for the REKEY_AFTER_MESSAGES check. */
    public long sendCount() {
        return (long) SEND_COUNTER.getVolatile(this);
    }

    /** True once {@link ProtocolTimes#REKEY_AFTER_MESSAGES} counters have been used (whitepaper §6.2). */
    public boolean sendCountExceedsRekeyLimit() {
        return Long.compareUnsigned(sendCount(), ProtocolTimes.REKEY_AFTER_MESSAGES) > 0;
    }

    /** Age in nanoseconds at monotonic time {@code nowNanos}. */
    public long age(long nowNanos) {
        return nowNanos - createdNanos;
    }

    /** True once older than REJECT_AFTER_TIME: neither send nor accept with it (whitepaper §6.1). */
    public boolean isExpired(long nowNanos) {
        return age(nowNanos) >= ProtocolTimes.REJECT_AFTER_TIME_NANOS;
    }

    /** The 32-byte send key; the caller must not modify or keep it past the keypair's retirement. */
    public byte[] sendKey() {
        return sendKey;
    }

    /** The 32-byte receive key; the caller must not modify or keep it past the keypair's retirement. */
    public byte[] receiveKey() {
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

    /**
     * Zeroes both keys and exhausts the send counter so no further packet is sent with it. A thread already
     * encrypting with the raw key may produce one packet the peer cannot authenticate (it is dropped there);
     * cipher objects holding copies of the keys are the crypto layer's to destroy.
     */
    public void wipe() {
        SEND_COUNTER.setVolatile(this, ProtocolTimes.REJECT_AFTER_MESSAGES);
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(receiveKey, (byte) 0);
    }

    @Override
    public String toString() {
        return "Keypair[local=" + Integer.toUnsignedString(localIndex) + ", remote="
                + Integer.toUnsignedString(remoteIndex) + ", initiator=" + initiator + "]";
    }
}
