package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.io.TunDevice;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.session.Keypair;
import java.io.IOException;

/**
 * A TUN reader: in {@link DataPathMode#INLINE} the whole send path on one thread, a batch at a time.
 *
 * <p>With its FQ-CoDel ({@link InlineQueues}, the default): packets of peers with a session are classified and queued
 * there; each turn of the loop reads what the TUN holds (without blocking while packets are queued), then seals and
 * sends one round from the queues — sparse flows first, DRR across peers, counters taken as packets leave. Without
 * it, as below, every packet read is sealed in the order read.
 *
 * <ol>
 *   <li>read a batch of IP packets from the TUN into pooled buffers at {@code HEADROOM} (room for the transport
 *       header); with offloads a TCP super-packet arrives split into MTU-sized segments ({@link
 *       TunDevice#readBatch});
 *   <li>cryptokey routing: the destination address picks the peer through the allowed-IPs trie (lock-free);
 *   <li>stage each on its peer; then, for every peer the batch touched, while the peer has a usable keypair its
 *       staged packets are padded, given the next counter (atomic per keypair, so several readers never share a
 *       nonce), encrypted in place and collected in a {@link TxBatch} ({@link Peer#flushStaged(ChaChaPoly,
 *       TxBatch)}); otherwise a handshake starts and the packets wait (up to {@code STAGED_PACKETS_PER_PEER});
 *   <li>the collected messages leave in one {@link UdpTransport#sendBatch} (sendmmsg, UDP GSO).
 * </ol>
 *
 * <p>In {@link DataPathMode#PER_FLOW} there is one such reader per TUN queue, each with its own UDP socket; the
 * kernel keeps a flow on one queue, so a flow's packets stay in order.
 *
 * <p>In {@link DataPathMode#PARALLEL} step 3 becomes a hand-off: the packet is classified and queued for the peer's
 * FQ-CoDel tin ({@link ParallelDataPath#offerTx}); scheduling, counters and encryption happen there, except for
 * small packets of sparse flows within the express budget, which this thread seals as inline (see {@link
 * ParallelDataPath}). In {@link DataPathMode#HYBRID} only peers the {@link HybridChooser} measured as busy take the
 * hand-off.
 *
 * <p>Steady state allocates nothing and takes no lock, apart from the JCE cipher's per-packet parameter objects (128
 * bytes with the default engine, see {@link ChaChaPoly}).
 */
final class SendPath implements Runnable {
    /** Packets per TUN batch: room for a 64 KiB super-packet split at the smallest common MSS and more. */
    static final int BATCH = 128;

    private static final int MTU_REFRESH_PACKETS = 1024;

    private final Device device;
    private final ParallelDataPath parallel;
    /** Null unless {@link DataPathMode#HYBRID}: then it picks, per packet, parallel or inline for its peer. */
    private final HybridChooser hybrid;

    private final TunDevice tun;
    private final UdpTransport udp;
    /** Inline modes: this reader's FQ-CoDel, drained between reads ({@link InlineQueues}); null with a parallel path. */
    private final InlineQueues queues;
    /** Parallel path: this reader's budget for sealing small packets itself; null inline or when turned off. */
    private final ExpressBudget express;
    /** The express path's flow hash (which small packets belong to a sparse flow). */
    private final FlowClassifier flows = FlowClassifier.withRandomSeed();
    /** Peers the round at hand sent to (reader thread only). */
    private final Peer[] sentTo = new Peer[InlineQueues.ROUND_PACKETS];

    /** The device's one TUN reader (inline, parallel or hybrid). */
    SendPath(Device device, ParallelDataPath parallel, HybridChooser hybrid) {
        this(device, parallel, hybrid, device.tun(), device.udp());
    }

    /** A reader of one TUN queue that sends on its own socket (per-flow mode). */
    SendPath(Device device, ParallelDataPath parallel, TunDevice tun, UdpTransport udp) {
        this(device, parallel, null, tun, udp);
    }

    private SendPath(Device device, ParallelDataPath parallel, HybridChooser hybrid, TunDevice tun, UdpTransport udp) {
        this.device = device;
        this.parallel = parallel;
        this.hybrid = hybrid;
        this.tun = tun;
        this.udp = udp;
        this.queues = parallel == null && device.inlineQueues()
                ? new InlineQueues(
                        false, Device.INLINE_QUEUE_PACKETS, device.pool().bufferSize())
                : null;
        this.express = parallel != null && device.express() ? new ExpressBudget() : null;
    }

    @Override
    public void run() {
        ChaChaPoly aead = new ChaChaPoly();
        byte[] scratch = new byte[device.pool().bufferSize()];
        PacketBuffer[] in = new PacketBuffer[BATCH];
        Peer[] touched = new Peer[BATCH];
        TxBatch tx = new TxBatch(udp, device.counters(), BATCH);
        int sinceMtu = 0;
        int drains = 0;
        WakeBoost boost = queues == null ? null : device.wakeBoost(tun);
        if (boost != null) {
            boost.start();
        }
        try {
            while (device.isRunning()) {
                int avail = refill(device.pool(), in);
                reserveRoom(in, avail, device.readRoom());
                boolean queued = queues != null && !queues.isEmpty();
                int n;
                try {
                    if (avail == 0 && queued) {
                        n = 0; // serve first: the round's buffers return to the pool once sent
                    } else if (avail == 0) {
                        if (tun.read(scratch, 0, scratch.length) < 0) {
                            return;
                        }
                        device.counters().drop(DropReason.NO_BUFFER);
                        continue;
                    } else if (queued) {
                        n = tun.readBatchNow(in, avail, Device.MAX_INNER_PACKET);
                    } else if (boost != null) {
                        boost.beforeWait();
                        n = tun.readBatch(in, avail, Device.MAX_INNER_PACKET);
                        boost.afterWait();
                    } else {
                        n = tun.readBatch(in, avail, Device.MAX_INNER_PACKET);
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
                int peers = 0;
                for (int i = 0; i < n; i++) {
                    PacketBuffer b = in[i];
                    in[i] = null;
                    Peer p = route(b);
                    if (p != null && !contains(touched, peers, p)) {
                        touched[peers++] = p;
                    }
                }
                for (int j = 0; j < peers; j++) {
                    touched[j].flushStaged(aead, tx);
                    touched[j] = null;
                }
                sinceMtu += n;
                if (queues != null && n > 0 && n == avail && ++drains < InlineQueues.DRAIN_READS) {
                    continue; // a full batch: the kernel may hold more, take it before the next round
                }
                drains = 0;
                if (queues != null) {
                    int served = serveRound(aead, tx);
                    if (boost != null) {
                        boost.worked(served);
                    }
                }
                tx.flush();
                if (sinceMtu >= MTU_REFRESH_PACKETS) {
                    sinceMtu = 0;
                    device.refreshMtu();
                }
            }
        } finally {
            tx.flush();
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
     * Inline: seals and queues on {@code tx} one round from this reader's FQ-CoDel (counters were taken as the
     * packets left it, keypair in {@code context}, peer in {@code owner}), then the rekey check once per peer.
     *
     * @return the packets the round took from the queues
     */
    private int serveRound(ChaChaPoly aead, TxBatch tx) {
        int n = queues.nextRound();
        PacketBuffer[] round = queues.round();
        int peers = 0;
        for (int i = 0; i < n; i++) {
            PacketBuffer b = round[i];
            round[i] = null;
            Peer p = (Peer) b.owner;
            p.sendCounted((Keypair) b.context, b.counter, b, aead, tx);
            if (!contains(sentTo, peers, p)) {
                sentTo[peers++] = p;
            }
        }
        for (int j = 0; j < peers; j++) {
            sentTo[j].afterSend();
            sentTo[j] = null;
        }
        queues.unpark(aead);
        queues.housekeeping(System.nanoTime());
        return n;
    }

    /**
     * Compacts the buffers still held at the front of {@code slots} and tops them up from {@code pool}.
     *
     * @return how many leading slots hold a buffer
     */
    static int refill(BufferPool pool, PacketBuffer[] slots) {
        int k = 0;
        for (int i = 0; i < slots.length; i++) {
            PacketBuffer b = slots[i];
            if (b != null) {
                slots[i] = null;
                slots[k++] = b;
            }
        }
        while (k < slots.length) {
            PacketBuffer b = pool.acquire();
            if (b == null) {
                break;
            }
            slots[k++] = b;
        }
        return k;
    }

    /**
     * Grows any of {@code slots[0..n)} without {@code room} bytes from its offset: a TUN without offloads reads a
     * packet straight into the buffer and cannot tell its size first, so each buffer must fit the MTU (which may
     * have gone up since the buffer was made). An int compare per buffer; allocates only after an MTU rise.
     */
    private static void reserveRoom(PacketBuffer[] slots, int n, int room) {
        for (int i = 0; i < n; i++) {
            PacketBuffer b = slots[i];
            b.reserve(b.offset + room);
        }
    }

    private static boolean contains(Peer[] peers, int n, Peer p) {
        for (int i = 0; i < n; i++) {
            if (peers[i] == p) {
                return true;
            }
        }
        return false;
    }

    /** Routes {@code b} (ownership passes); returns the peer it was staged on inline, else null. */
    private Peer route(PacketBuffer b) {
        int version = InnerPacket.version(b.data, b.offset, b.length);
        if (version == 0) {
            device.counters().drop(DropReason.INVALID_INNER);
            b.release();
            return null;
        }
        Peer peer = device.allowedIps()
                .lookup(b.data, b.offset + InnerPacket.destinationOffset(version), InnerPacket.addressLength(version));
        if (peer == null) {
            device.counters().drop(DropReason.NO_ROUTE);
            b.release();
            return null;
        }
        if (parallel != null && (hybrid == null || hybrid.parallel(peer, System.nanoTime()))) {
            if (express != null
                    && b.length <= ParallelDataPath.SMALL_INNER
                    && peer.counterSource().ready()
                    && express.takeSparse(System.nanoTime(), flows.hash(b.data, b.offset, b.length))) {
                device.counters().expressSent();
                peer.stage(b); // express: sealed and sent by this thread, as inline (see ParallelDataPath)
                return peer;
            }
            parallel.offerTx(peer, b);
            return null;
        }
        if (queues != null && peer.counterSource().ready()) {
            queues.enqueueTx(peer, b);
            return null;
        }
        peer.stage(b);
        return peer;
    }
}
