package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.TunDevice;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.message.MessageType;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.pipeline.PeerLane;
import dev.wgmesh.dataplane.session.Keypair;
import java.io.IOException;

/**
 * A UDP receiver: in {@link DataPathMode#INLINE} the whole receive path on one thread, a batch at a time.
 *
 * <p>With its FQ-CoDel ({@link InlineQueues}, the default), step 3 is split: after the index and key checks a
 * transport message is queued by peer and size class; each turn of the loop receives what the socket holds (without
 * blocking while messages are queued), then opens and delivers one round from the queues, small messages first.
 *
 * <ol>
 *   <li>receive a batch of datagrams into pooled buffers ({@link UdpTransport#receiveBatch}: recvmmsg, UDP GRO
 *       split back) and classify each (type, reserved bytes, exact size);
 *   <li>handshake messages and cookie replies go to the {@link HandshakeWorker} queue;
 *   <li>transport data: the receiver index names our keypair (lock-free index table), the packet is decrypted in
 *       place, then the replay window is checked — after decryption, so forged counters cannot move it;
 *   <li>authenticated: the endpoint follows the source (roaming), a responder's next keypair is promoted on its first
 *       packet, timer hooks run; a keepalive ends here;
 *   <li>the inner packet is trimmed to its IP length and its source must be in the peer's allowed IPs (cryptokey
 *       routing, whitepaper §2); then it joins the batch for the TUN, written after the whole batch was processed
 *       ({@link TunDevice#writeBatch}: with offloads, segments of a flow merged into super-packets).
 * </ol>
 *
 * <p>In {@link DataPathMode#PER_FLOW} there is one such receiver per UDP socket (SO_REUSEPORT), each writing to its
 * own TUN queue.
 *
 * Every drop is counted by reason ({@link DropReason}); nothing is logged per packet.
 *
 * <p>In {@link DataPathMode#PARALLEL} steps 3–5 move: after the index and key checks the datagram is handed to
 * {@link ParallelDataPath} (decryption on the crypto workers) and {@link TransportSink} runs the replay check, then
 * {@link #authenticated} and {@link #deliverable}, serialised per peer and in arrival order. Small messages within
 * the express budget stay here (see {@link ParallelDataPath}, express path), serialised with those by the peer's
 * receive lane.
 */
final class ReceivePath implements Runnable {
    private static final int HEADER = WireGuardSpec.TRANSPORT_HEADER_SIZE;

    private final Device device;
    private final ParallelDataPath parallel;
    private final TunDevice tun;
    private final UdpTransport udp;
    /** Decrypted packets of the batch at hand, for one TUN write (receiver thread only). */
    private final PacketBuffer[] toTun = new PacketBuffer[SendPath.BATCH];

    private int toTunCount;
    /**
     * Inline modes: this receiver's FQ-CoDel over transport messages before decryption, drained between receives
     * ({@link InlineQueues}); null with a parallel path, which has receive tins of its own.
     */
    private final InlineQueues queues;
    /** Parallel path: this receiver's budget for opening small messages itself; null inline or when turned off. */
    private final ExpressBudget express;

    ReceivePath(Device device, ParallelDataPath parallel) {
        this(device, parallel, device.tun(), device.udp());
    }

    /** A receiver of one socket that writes to its own TUN queue (per-flow mode). */
    ReceivePath(Device device, ParallelDataPath parallel, TunDevice tun, UdpTransport udp) {
        this.device = device;
        this.parallel = parallel;
        this.tun = tun;
        this.udp = udp;
        this.queues = parallel == null && device.inlineQueues()
                ? new InlineQueues(
                        true, Device.INLINE_QUEUE_PACKETS, device.pool().bufferSize())
                : null;
        this.express = parallel != null && device.express() ? new ExpressBudget() : null;
    }

    @Override
    public void run() {
        ChaChaPoly aead = new ChaChaPoly();
        Endpoint scratchFrom = new Endpoint();
        byte[] scratch = new byte[device.pool().bufferSize()];
        PacketBuffer[] in = new PacketBuffer[SendPath.BATCH];
        Endpoint[] from = new Endpoint[SendPath.BATCH];
        for (int i = 0; i < from.length; i++) {
            from[i] = new Endpoint();
        }
        int drained = 0;
        WakeBoost boost = queues == null ? null : device.wakeBoost(tun);
        if (boost != null) {
            boost.start();
        }
        try {
            while (device.isRunning()) {
                int avail = SendPath.refill(device.pool(), in);
                boolean queued = queues != null && !queues.isEmpty();
                int n;
                try {
                    if (avail == 0 && queued) {
                        n = 0; // serve first: the round's buffers return to the pool once written
                    } else if (avail == 0) {
                        if (udp.receive(scratch, 0, scratch.length, scratchFrom) < 0) {
                            return;
                        }
                        device.counters().drop(DropReason.NO_BUFFER);
                        continue;
                    } else if (queued) {
                        n = udp.receiveBatchNow(in, from, avail);
                    } else if (boost != null) {
                        boost.beforeWait();
                        n = udp.receiveBatch(in, from, avail);
                        boost.afterWait();
                    } else {
                        n = udp.receiveBatch(in, from, avail);
                    }
                } catch (IOException e) {
                    if (!device.isRunning()) {
                        return;
                    }
                    device.counters().drop(DropReason.IO_ERROR);
                    continue;
                }
                if (n < 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    PacketBuffer b = in[i];
                    in[i] = null;
                    dispatch(b, b.length, from[i], aead);
                }
                // Drain until the socket is empty (a read that finds nothing) or a few batches were taken. Not "until
                // a read comes back short" as on the TUN: with UDP GRO a read returns a couple of coalesced messages
                // of any number of segments, so a short read says nothing about what is left, and the backlog stayed
                // in the socket's buffer (megabytes, FIFO: pings behind the flood) instead of moving to the queues.
                drained += n;
                if (queues != null && n > 0 && drained < InlineQueues.DRAIN_READS * SendPath.BATCH) {
                    continue;
                }
                drained = 0;
                if (queues != null) {
                    int served = serveRound(aead);
                    if (boost != null) {
                        boost.worked(served);
                    }
                }
                flushToTun();
            }
        } finally {
            flushToTun();
            if (queues != null) {
                queues.clear();
            }
            for (PacketBuffer b : in) {
                if (b != null) {
                    b.release();
                }
            }
        }
    }

    /**
     * The inner packet of {@code len} bytes at {@code b.data[HEADER..]} joins the TUN batch, or {@code b} goes back to
     * the pool when {@code len} is 0. At most one per datagram received or message served, and the batch is flushed
     * after each receive or round: it never overflows.
     */
    private void toTunOrRelease(PacketBuffer b, int len) {
        if (len > 0) {
            b.offset = HEADER;
            b.length = len;
            toTun[toTunCount++] = b;
        } else {
            b.release();
        }
    }

    private void flushToTun() {
        if (toTunCount == 0) {
            return;
        }
        int failed = tun.writeBatch(toTun, toTunCount);
        if (failed > 0) {
            device.counters().drop(DropReason.IO_ERROR, failed);
        }
        for (int i = 0; i < toTunCount; i++) {
            toTun[i].release();
            toTun[i] = null;
        }
        toTunCount = 0;
    }

    private void dispatch(PacketBuffer b, int n, Endpoint from, ChaChaPoly aead) {
        int type = MessageType.classify(b.data, 0, n);
        if (type == WireGuardSpec.TYPE_TRANSPORT && (parallel != null || queues != null)) {
            handOff(b, n, from, aead);
        } else if (type == WireGuardSpec.TYPE_TRANSPORT) {
            toTunOrRelease(b, receiveTransport(b.data, n, from, aead));
        } else if (type != 0) {
            b.offset = 0;
            b.length = n;
            device.handshakeWorker().enqueue(b, from);
        } else {
            device.counters().drop(DropReason.MALFORMED);
            b.release();
        }
    }

    /**
     * The cheap checks of a transport message — index and key — then the hand-off to the parallel path, or to this
     * receiver's own queues inline.
     */
    private void handOff(PacketBuffer b, int n, Endpoint from, ChaChaPoly aead) {
        IndexEntry entry = device.indices().lookup(TransportMessage.receiver(b.data, 0));
        Keypair kp = entry == null ? null : entry.keypair();
        if (kp == null) {
            device.counters().drop(DropReason.UNKNOWN_INDEX);
            b.release();
            return;
        }
        if (kp.isWiped() || kp.isExpired(device.clock().nanoTime())) {
            device.counters().drop(DropReason.KEY_EXPIRED);
            b.release();
            return;
        }
        Endpoint known = entry.peer().endpoint();
        b.context = known != null && known.sameAs(from) ? known : from.copy(); // allocates only when it moved
        b.owner = entry;
        b.offset = 0;
        b.length = n;
        b.counter = TransportMessage.counter(b.data, 0);
        if (express != null && n <= ParallelDataPath.RX_SMALL_WIRE && openExpress(entry, kp, b, from, aead)) {
            return;
        }
        if (queues != null) {
            queues.enqueueRx(entry.peer(), b);
        } else {
            parallel.offerRx(b);
        }
    }

    /**
     * Parallel path, express: opens the small message {@code b} (prepared for the queues) on this thread, within the
     * budget, and delivers it when {@code peer}'s receive lane can be entered ({@link ParallelDataPath#rxLane}); the
     * inner packet joins this batch's TUN write. When a worker holds the lane (delivering the peer's batches, as
     * often under a flood), the opened message is posted to that worker instead ({@link #openForHolder}). The lane
     * first, so that the budget counts messages opened here, not attempts.
     *
     * @return false when it did neither and the message is still to be handed off
     */
    private boolean openExpress(IndexEntry entry, Keypair kp, PacketBuffer b, Endpoint from, ChaChaPoly aead) {
        Peer peer = entry.peer();
        PeerLane lane = parallel.rxLane(peer);
        if (lane == null) {
            return false;
        }
        if (!lane.tryEnter()) {
            return openForHolder(lane, b, aead);
        }
        if (!express.take(System.nanoTime())) {
            lane.exit();
            return false;
        }
        device.counters().expressReceived();
        int len;
        try {
            len = open(peer, kp, b.counter, b.data, b.length, from, aead);
        } finally {
            lane.exit();
        }
        toTunOrRelease(b, len);
        return true;
    }

    /**
     * The lane is held: opens {@code b} here, outside it, as a worker would ({@link TransportCryptoOp#open}), and
     * posts it for the holder to run the replay filter, hooks and TUN write on ({@link PeerLane#post}). The slot is
     * taken before the work, so an opened message always has a place; with none free, or no budget, the message
     * takes the queued path unopened.
     */
    private boolean openForHolder(PeerLane lane, PacketBuffer b, ChaChaPoly aead) {
        int slot = lane.reserve();
        if (slot < 0) {
            return false;
        }
        if (!express.take(System.nanoTime())) {
            lane.cancel(slot);
            return false;
        }
        device.counters().expressReceived();
        int plen = TransportCryptoOp.open(device, aead, b);
        if (plen < 0) {
            lane.cancel(slot);
            b.release();
            return true;
        }
        b.length = plen;
        lane.post(slot, b);
        return true;
    }

    /**
     * Inline: decrypts one round from this receiver's FQ-CoDel (small messages first, peers by DRR) and does the
     * rest of the receive path for each, as {@link TransportSink} does for the parallel path: the replay check after
     * decryption, then {@link #authenticated} and cryptokey routing; the packets join the TUN batch.
     *
     * @return the packets the round took from the queues
     */
    private int serveRound(ChaChaPoly aead) {
        int n = queues.nextRound();
        PacketBuffer[] round = queues.round();
        for (int i = 0; i < n; i++) {
            PacketBuffer b = round[i];
            round[i] = null;
            toTunOrRelease(b, openQueued(b, aead)); // a round is smaller than the TUN batch, flushed after each
        }
        queues.housekeeping(System.nanoTime());
        return n;
    }

    /** Opens a queued message (owner its index entry, counter and source set); the inner length, or 0 (counted). */
    private int openQueued(PacketBuffer b, ChaChaPoly aead) {
        IndexEntry entry = (IndexEntry) b.owner;
        return open(entry.peer(), entry.keypair(), b.counter, b.data, b.length, (Endpoint) b.context, aead);
    }

    /**
     * Inline without queues: decrypts, checks and accounts one transport message in place.
     *
     * @return the length of the inner packet at {@code data[HEADER..]} to write to the TUN, or 0 (dropped, counted,
     *     or a keepalive)
     */
    private int receiveTransport(byte[] data, int n, Endpoint from, ChaChaPoly aead) {
        IndexEntry entry = device.indices().lookup(TransportMessage.receiver(data, 0));
        Keypair kp = entry == null ? null : entry.keypair();
        if (kp == null) {
            device.counters().drop(DropReason.UNKNOWN_INDEX);
            return 0;
        }
        if (kp.isWiped() || kp.isExpired(device.clock().nanoTime())) {
            device.counters().drop(DropReason.KEY_EXPIRED);
            return 0;
        }
        return open(entry.peer(), kp, TransportMessage.counter(data, 0), data, n, from, aead);
    }

    /**
     * Opens the transport message {@code data[0..wire)} of {@code peer} under {@code kp} in place; the replay check
     * after decryption (forged counters cannot move the window), then {@link #authenticated} and cryptokey routing.
     *
     * @return the inner packet's length at {@code data[HEADER..]}, or 0 (dropped and counted, or a keepalive)
     */
    private int open(Peer peer, Keypair kp, long counter, byte[] data, int wire, Endpoint from, ChaChaPoly aead) {
        int plen;
        try {
            plen = aead.open(kp.receiveKey(), counter, data, HEADER, wire - HEADER);
        } catch (IllegalStateException destroyed) {
            device.counters().drop(DropReason.KEY_EXPIRED);
            return 0;
        }
        if (plen < 0) {
            device.counters().drop(DropReason.AUTH_FAILURE);
            return 0;
        }
        if (!kp.replayFilter().accept(counter)) {
            device.counters().drop(DropReason.REPLAY);
            return 0;
        }
        authenticated(peer, kp, wire, from);
        if (plen == 0) {
            return 0; // keepalive
        }
        peer.timers.onDataReceived();
        return deliverable(peer, data, plen);
    }

    /** After authentication and the replay check: roaming, byte counters, promotion, rekey-on-receive, timers. */
    void authenticated(Peer peer, Keypair kp, int n, Endpoint from) {
        peer.updateEndpoint(from);
        peer.received(n);
        if (peer.keypairs.receivedWith(kp)) {
            // First packet under a responder's next keypair: the handshake is confirmed (§5.4.5).
            peer.timers.onHandshakeComplete();
            peer.flushStaged();
        }
        if (kp == peer.keypairs.current() && peer.timers.shouldRekeyOnReceive(kp)) {
            peer.sendHandshakeInitiation(false);
        }
        peer.timers.onAnyAuthenticatedPacketReceived();
        peer.timers.onAnyAuthenticatedPacketTraversal();
    }

    /**
     * Cryptokey routing (whitepaper §2) on the plaintext at {@code data[HEADER..HEADER+plen)}: a valid IP packet whose
     * source is in {@code peer}'s allowed IPs.
     *
     * @return its length (trimmed to what its header claims, dropping the padding), or 0 when dropped (counted)
     */
    int deliverable(Peer peer, byte[] data, int plen) {
        int version = InnerPacket.version(data, HEADER, plen);
        if (version == 0) {
            device.counters().drop(DropReason.INVALID_INNER);
            return 0;
        }
        int len = InnerPacket.claimedLength(data, HEADER, version);
        if (len > plen || len < (version == 4 ? InnerPacket.V4_HEADER : InnerPacket.V6_HEADER)) {
            device.counters().drop(DropReason.INVALID_INNER);
            return 0;
        }
        Peer owner = device.allowedIps()
                .lookup(data, HEADER + InnerPacket.sourceOffset(version), InnerPacket.addressLength(version));
        if (owner != peer) {
            device.counters().drop(DropReason.SOURCE_NOT_ALLOWED);
            return 0;
        }
        return len;
    }
}
