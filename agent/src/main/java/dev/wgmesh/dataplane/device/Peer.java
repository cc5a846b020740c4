package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.cookie.CookieChecker;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.InitiationMessage;
import dev.wgmesh.dataplane.message.Limits;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.noise.Handshake;
import dev.wgmesh.dataplane.noise.IndexAllocator;
import dev.wgmesh.dataplane.noise.SessionKeys;
import dev.wgmesh.dataplane.session.Keypair;
import dev.wgmesh.dataplane.session.Keypairs;
import dev.wgmesh.dataplane.timers.PeerTimers;
import dev.wgmesh.dataplane.timers.TimerActions;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MpmcArrayQueue;

/**
 * One configured peer: its handshake, keypairs, timers, endpoint, staged packets and counters (wireguard-go
 * {@code Peer}).
 *
 * <p>Threading: called from the TUN reader (send path), the UDP receiver (receive path), the handshake worker and
 * the timer scheduler. Nothing here locks on the data path: the endpoint is replaced as a whole (copy-on-roam), the
 * keypair slots are volatile ({@link Keypairs}), staged packets sit in a lock-free MPMC queue, and counters are
 * atomics. Encryption uses the calling thread's own {@link ChaChaPoly}.
 */
final class Peer implements TimerActions {
    private static final ThreadLocal<ChaChaPoly> AEAD = ThreadLocal.withInitial(ChaChaPoly::new);

    private final Device device;
    private final byte[] publicKey;
    final Handshake handshake;
    final CookieChecker cookieChecker;
    final Keypairs keypairs;
    final PeerTimers timers;
    private final MpmcArrayQueue<PacketBuffer> staged = new MpmcArrayQueue<>(Limits.STAGED_PACKETS_PER_PEER);
    /** Parallel mode's per-peer scheduler state (dispatcher thread; see {@link ParallelDataPath}). */
    final ParallelDataPath.PeerSendState sendState = new ParallelDataPath.PeerSendState();

    private final SendCounters counterSource = new SendCounters();
    private volatile boolean destroyed;

    private volatile Endpoint endpoint;
    private volatile byte[] presharedKey;
    private final AtomicLong rxBytes = new AtomicLong();
    private final AtomicLong txBytes = new AtomicLong();
    /** When the latest initiation was sent (device clock), for the handshake RTT. */
    private volatile long initiationSentNanos;

    Peer(Device device, byte[] publicKey) {
        this.device = device;
        this.publicKey = publicKey.clone();
        this.handshake =
                new Handshake(this.publicKey, new PeerIndices(), device.clock().asJavaClock());
        this.cookieChecker = new CookieChecker(this.publicKey, device.clock()::nanoTime);
        this.keypairs = new Keypairs(k -> device.indices().remove(k.localIndex()));
        this.timers = new PeerTimers(device.scheduler(), this);
    }

    byte[] publicKey() {
        return publicKey;
    }

    // ---- configuration (under the device's config lock) ----

    Endpoint endpoint() {
        return endpoint;
    }

    void setEndpoint(Endpoint e) {
        endpoint = e;
    }

    byte[] presharedKey() {
        return presharedKey;
    }

    void setPresharedKey(byte[] psk) {
        presharedKey = psk == null ? null : psk.clone();
        handshake.setPresharedKey(psk);
    }

    long rxBytes() {
        return rxBytes.get();
    }

    long txBytes() {
        return txBytes.get();
    }

    void sent(long bytes) {
        txBytes.addAndGet(bytes);
    }

    boolean isDestroyed() {
        return destroyed;
    }

    /** Parallel mode: the counters the scheduler assigns at dequeue, from the current keypair. */
    SendCounters counterSource() {
        return counterSource;
    }

    /**
     * Counter and keypair taken together (wireguard-go takes both in one step): the keypair rides in the packet's
     * {@code context} so the worker seals with the key the counter belongs to, even if a rekey installed a new one.
     */
    final class SendCounters implements dev.wgmesh.dataplane.queue.CounterSource {
        @Override
        public boolean ready() {
            return isUsable(keypairs.current());
        }

        @Override
        public long next() {
            throw new UnsupportedOperationException("the device always passes the packet");
        }

        @Override
        public long next(PacketBuffer b) {
            Keypair kp = keypairs.current();
            if (!isUsable(kp)) {
                return -1;
            }
            long c = kp.nextSendCounter();
            if (c >= 0) {
                b.context = kp;
            }
            return c;
        }
    }

    // ---- send path ----

    /** Queues a plaintext packet (ownership passes here); drops the oldest when full (wireguard-go). */
    void stage(PacketBuffer b) {
        if (staged.relaxedOffer(b)) {
            return;
        }
        PacketBuffer oldest = staged.poll();
        if (oldest != null) {
            oldest.release();
            device.counters().drop(DropReason.STAGED_OVERFLOW);
        }
        if (!staged.offer(b)) {
            b.release();
            device.counters().drop(DropReason.STAGED_OVERFLOW);
        }
    }

    /**
     * Encrypts and sends staged packets while a usable keypair exists; without one, starts a handshake (whitepaper
     * §6.2), and after sending checks whether the key is due for a rekey.
     */
    void flushStaged(ChaChaPoly aead) {
        flushStaged(aead, null);
    }

    /**
     * As {@link #flushStaged(ChaChaPoly)}, but sealed messages go into {@code tx} (sent when the caller flushes it)
     * instead of one system call each; {@code tx} null sends at once.
     */
    /** After an inline round sent this peer's packets: starts a rekey when the current keypair is due (§6.2). */
    void afterSend() {
        if (timers.shouldRekeyOnSend(keypairs.current())) {
            sendHandshakeInitiation(false);
        }
    }

    void flushStaged(ChaChaPoly aead, TxBatch tx) {
        while (true) {
            Keypair kp = keypairs.current();
            if (!isUsable(kp)) {
                if (!staged.isEmpty()) {
                    sendHandshakeInitiation(false);
                }
                return;
            }
            PacketBuffer b = staged.relaxedPoll();
            if (b == null) {
                break;
            }
            if (!sendTransport(kp, b, aead, tx)) {
                device.counters().drop(DropReason.KEY_EXPIRED);
                b.release();
                sendHandshakeInitiation(false);
                return;
            }
        }
        if (timers.shouldRekeyOnSend(keypairs.current())) {
            sendHandshakeInitiation(false);
        }
    }

    private boolean isUsable(Keypair kp) {
        return kp != null && !kp.isWiped() && !kp.isExpired(device.clock().nanoTime());
    }

    /**
     * Encrypts {@code b} in place with {@code kp} and sends it (whitepaper §5.4.6), or queues it on {@code tx} when
     * not null (the timer hooks and byte counters run at queueing). Releases {@code b} (or hands it to {@code tx})
     * unless it returns false (no counter left under this keypair).
     */
    boolean sendTransport(Keypair kp, PacketBuffer b, ChaChaPoly aead, TxBatch tx) {
        long counter = kp.nextSendCounter();
        if (counter < 0) {
            return false;
        }
        sendCounted(kp, counter, b, aead, tx);
        return true;
    }

    /**
     * As {@link #sendTransport}, with the counter already taken under {@code kp} (an inline FQ-CoDel took it as the
     * packet left, see {@link InlineQueues}). Releases {@code b} or hands it to {@code tx}.
     */
    void sendCounted(Keypair kp, long counter, PacketBuffer b, ChaChaPoly aead, TxBatch tx) {
        boolean queued = false;
        try {
            Endpoint ep = endpoint;
            if (ep == null) {
                device.counters().drop(DropReason.NO_ENDPOINT);
                return;
            }
            byte[] data = b.data;
            int off = b.offset;
            int len = b.length;
            int padded = TransportMessage.paddedLength(len, device.mtu());
            if (off + padded + WireGuardSpec.AEAD_TAG_SIZE > data.length) {
                padded = len;
            }
            Arrays.fill(data, off + len, off + padded, (byte) 0);
            int header = off - WireGuardSpec.TRANSPORT_HEADER_SIZE;
            TransportMessage.writeHeader(data, header, kp.remoteIndex(), counter);
            try {
                aead.seal(kp.sendKey(), counter, data, off, padded);
            } catch (IllegalStateException destroyed) {
                device.counters().drop(DropReason.KEY_EXPIRED); // keypair wiped under us (one-packet race)
                return;
            }
            int total = WireGuardSpec.TRANSPORT_HEADER_SIZE + padded + WireGuardSpec.AEAD_TAG_SIZE;
            timers.onAnyAuthenticatedPacketTraversal();
            timers.onAnyAuthenticatedPacketSent(); // before the send: see sendHandshakeMessage
            if (tx != null) {
                b.offset = header;
                b.length = total;
                tx.add(b, ep);
                queued = true;
            }
            if (queued || send(data, header, total, ep)) {
                txBytes.addAndGet(total);
                if (len > 0) {
                    timers.onDataSent();
                }
            }
        } finally {
            if (!queued) {
                b.release();
            }
        }
    }

    private boolean send(byte[] data, int off, int len, Endpoint ep) {
        try {
            device.udp().send(data, off, len, ep);
            return true;
        } catch (IOException e) {
            device.counters().drop(DropReason.IO_ERROR);
            return false;
        }
    }

    /** Sends a handshake message built elsewhere (response), with the timer hooks of an authenticated packet. */
    void sendHandshakeMessage(byte[] msg, int len) {
        Endpoint ep = endpoint;
        if (ep == null) {
            device.counters().drop(DropReason.NO_ENDPOINT);
            return;
        }
        // Timers before the send, as wireguard-go does: the answer can arrive and be handled (arming the receive
        // side's keepalive) before send returns, and a late "sent" hook would then cancel that keepalive.
        timers.onAnyAuthenticatedPacketTraversal();
        timers.onAnyAuthenticatedPacketSent();
        if (send(msg, 0, len, ep)) {
            txBytes.addAndGet(len);
        }
    }

    // ---- receive path ----

    /** Roaming (whitepaper §2.1): any authenticated packet moves the endpoint to its source, copy-on-roam. */
    void updateEndpoint(Endpoint from) {
        Endpoint e = endpoint;
        if (e == null || !e.sameAs(from)) {
            endpoint = from.copy();
        }
    }

    void received(int bytes) {
        rxBytes.addAndGet(bytes);
    }

    /** Turns derived keys into a keypair: our index now names the keypair, and it takes its slot (§5.4.5). */
    void installSession(SessionKeys keys) {
        Keypair kp = new Keypair(keys);
        device.indices().replace(kp.localIndex(), new IndexEntry(this, null, kp));
        keypairs.install(kp);
        device.counters().handshakeCompleted();
    }

    // ---- TimerActions (scheduler thread) and handshake start ----

    @Override
    public void sendHandshakeInitiation(boolean isRetry) {
        if (!handshake.canHandshake() || endpoint == null || !device.isRunning()) {
            return;
        }
        if (!timers.shouldSendInitiation(isRetry)) {
            return; // at most one initiation per REKEY_TIMEOUT (§6.1)
        }
        byte[] msg = new byte[InitiationMessage.SIZE];
        try {
            handshake.createInitiation(msg, 0);
        } catch (IllegalStateException noKey) {
            return;
        }
        cookieChecker.addMacs(msg, 0, msg.length);
        device.counters().initiationSent();
        initiationSentNanos = device.clock().nanoTime();
        // Arm the retransmission first: the answer may complete the handshake (and cancel it) before send returns.
        timers.onHandshakeInitiated();
        sendHandshakeMessage(msg, msg.length);
    }

    /**
     * An empty transport message if a usable keypair exists (§6.5), otherwise a handshake (wireguard-go); none when
     * data is staged (it carries the same news). In parallel mode the dispatcher sends it, in order with the data.
     */
    @Override
    public void sendKeepalive() {
        if (device.keepaliveThroughDispatcher(this)) {
            return;
        }
        if (staged.isEmpty()) {
            PacketBuffer b = device.pool().acquire();
            if (b == null) {
                device.counters().drop(DropReason.NO_BUFFER);
                return;
            }
            stage(b);
        }
        flushStaged(AEAD.get());
        device.onSessionReady();
    }

    /**
     * Flushes staged packets from a thread without its own cipher (handshake worker, receive promotion): called when
     * a session became usable, so it also wakes the parallel path's dispatcher to resume this peer's queue.
     */
    void flushStaged() {
        flushStaged(AEAD.get());
        device.onSessionReady();
    }

    @Override
    public void clearEndpointSource() {
        Endpoint e = endpoint;
        if (e != null && e.sourceLength() > 0) {
            Endpoint cleared = e.copy();
            cleared.clearSource();
            endpoint = cleared;
        }
    }

    long initiationSentNanos() {
        return initiationSentNanos;
    }

    @Override
    public void handshakeGaveUp() {
        dropStaged();
        device.handshakeFailed(this, timers.handshakeAttempts());
    }

    @Override
    public void zeroKeyMaterial() {
        keypairs.clear();
        handshake.clear();
        dropStaged();
    }

    void dropStaged() {
        sendState.dropRequested = true; // the parallel path drops this peer's FQ-CoDel backlog too
        PacketBuffer b;
        while ((b = staged.poll()) != null) {
            b.release();
            device.counters().drop(DropReason.STAGED_OVERFLOW);
        }
    }

    /** Stops timers and wipes every secret of this peer (removal, device close). */
    void destroy() {
        destroyed = true;
        timers.stop();
        keypairs.clear();
        handshake.destroy();
        dropStaged();
    }

    /** Gives the handshake indices in the device's table, naming this peer. */
    private final class PeerIndices implements IndexAllocator {
        @Override
        public int allocate(Handshake h) {
            return device.indices().register(new IndexEntry(Peer.this, h, null));
        }

        @Override
        public void release(int index) {
            if (index != 0) {
                IndexEntry e = device.indices().lookup(index);
                if (e != null && e.keypair() == null) {
                    device.indices().remove(index, e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Peer[" + dev.wgmesh.dataplane.crypto.Keys.toBase64(publicKey) + "]";
    }
}
