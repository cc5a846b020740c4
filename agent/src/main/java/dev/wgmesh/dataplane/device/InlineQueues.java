package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.queue.CarriedCounter;
import dev.wgmesh.dataplane.queue.FlowClassifier;
import dev.wgmesh.dataplane.queue.FqCodel;
import dev.wgmesh.dataplane.queue.PeerScheduler;
import dev.wgmesh.dataplane.queue.Tin;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * FQ-CoDel per peer and DRR across peers, owned by one inline I/O thread ({@link DataPathMode#INLINE}, {@link
 * DataPathMode#PER_FLOW}): the thread moves everything the kernel has ready into these queues, serves one bounded
 * round of crypto from them ({@link #nextRound}), and polls the kernel again before the next round.
 *
 * <p>Why: the kernel's queues in front of a userspace tunnel are FIFOs nobody manages — the TUN's read ring (500
 * packets, tail-dropped when full, pings included) and the UDP socket's receive buffer (megabytes). A thread that
 * encrypts everything in the order read leaves the standing queue there, tens of milliseconds deep under a flood.
 * Reading is several times cheaper than crypto, so a thread that drains first keeps those FIFOs nearly empty and the
 * backlog lands here, where a sparse flow (a ping, an ACK, a DNS query) is served in the next round, CoDel drops
 * from the flood's own queue, and one busy peer cannot starve the others. It costs no hand-off between threads:
 * every stage still runs on the thread that read the packet. When the reader cannot keep up even so (a flood
 * faster than it can read), the TUN's rings ({@code LinuxTunQueues}) keep the flood's overflow in a ring of its
 * own.
 *
 * <ul>
 *   <li>Transmit: flows are the inner 5-tuples ({@link FlowClassifier}); the tin's counter source is the peer's, so
 *       counters (nonces) are taken as packets leave, in the order they are sent, and the departing packet carries
 *       its keypair in {@code context} and its peer in {@code owner}.
 *   <li>Receive: the inner header is ciphertext, so flows are the receiver index and the wire-size class ({@link
 *       ParallelDataPath#rxFlowHash}): small messages are served ahead of a backlog of large ones. Messages keep their
 *       {@code IndexEntry} as owner and their counter.
 * </ul>
 *
 * <p>Threading contract: every method on the owning thread. Statistics are read anywhere through the peer's tin
 * ({@link ParallelDataPath.PeerSendState#lastTin}); with several inline threads (per-flow mode) the peer shows the
 * first thread's tin. Steady state allocates nothing: a tin is created once per peer and thread.
 */
final class InlineQueues {
    /**
     * Packets served per round before the kernel is polled again: about 0.2–0.3 ms of crypto at MTU size, short
     * enough that a TUN ring of 500 packets does not fill behind it from one sender, long enough that sends and TUN
     * writes still leave in large batches (UDP GSO, coalesced TCP segments).
     */
    static final int ROUND_PACKETS = 64;
    /**
     * Reads (of up to a batch each) before a round while every read comes back full: the owning thread takes up to
     * this many batches from the kernel per round, so under a flood it drains the kernel's FIFO several times faster
     * than it encrypts, and the excess is dropped here, from the fattest flow, not in front of a sparse one.
     */
    static final int DRAIN_READS = 4;

    private static final long HOUSEKEEPING_NANOS = 50_000_000L;

    private final boolean receive;
    private final PeerScheduler scheduler;
    private final FlowClassifier classifier = FlowClassifier.withRandomSeed();
    private final Map<Peer, Tin> tins = new IdentityHashMap<>();
    private final PacketBuffer[] round = new PacketBuffer[ROUND_PACKETS];
    private Peer lastPeer;
    private Tin lastTin;
    private long lastHousekeeping;

    /**
     * @param receive true for a UDP receiver's queues (messages before decryption), false for a TUN reader's
     * @param packets the most packets held (over all peers); beyond it FQ-CoDel drops from the fattest flow
     * @param bufferSize the pool's buffer size: a packet is charged its buffer, as Linux charges truesize
     */
    InlineQueues(boolean receive, int packets, int bufferSize) {
        this.receive = receive;
        this.scheduler = new PeerScheduler(new FqCodel(
                FqCodel.Config.defaults().withLimits(packets, (long) packets * bufferSize), System::nanoTime));
    }

    /** Transmit: queues a routed plaintext packet for {@code peer}; ownership passes here. Never blocks. */
    void enqueueTx(Peer peer, PacketBuffer b) {
        b.flowHash = classifier.hash(b.data, b.offset, b.length);
        scheduler.enqueue(tin(peer), b);
    }

    /**
     * Receive: queues a transport message of {@code peer} ({@code data[0..length)}, owner its {@code IndexEntry},
     * counter and source set); ownership passes here. Never blocks.
     */
    void enqueueRx(Peer peer, PacketBuffer b) {
        b.flowHash = ParallelDataPath.rxFlowHash(b.data, b.length);
        scheduler.enqueue(tin(peer), b);
    }

    boolean isEmpty() {
        return scheduler.packets() == 0;
    }

    /**
     * Dequeues the next round (sparse flows first, DRR across peers, CoDel at dequeue; transmit packets with their
     * counter taken) into {@link #round()}.
     *
     * @return how many packets {@link #round()} holds from index 0; the caller takes each and nulls its slot
     */
    int nextRound() {
        return scheduler.dequeueBatch(round, ROUND_PACKETS, Long.MAX_VALUE);
    }

    PacketBuffer[] round() {
        return round;
    }

    /**
     * Transmit: a tin whose peer lost its usable keypair between enqueue and dequeue (expiry, zeroing) is parked by
     * the scheduler; if a handshake already brought a new one it resumes, else its packets move to the peer's
     * handshake staging queue (flushed when the session is up), so nothing waits here for a wake-up this thread may
     * never get.
     */
    void unpark(ChaChaPoly aead) {
        if (!scheduler.hasParked()) {
            return;
        }
        scheduler.resumeReady();
        Tin t;
        while ((t = scheduler.pollParked()) != null) {
            Peer peer = (Peer) t.owner();
            PacketBuffer b;
            while ((b = scheduler.fq().dequeue(t)) != null) {
                peer.stage(b);
            }
            peer.flushStaged(aead); // sends them if a session came up meanwhile, else starts a handshake
        }
    }

    /** Every 50 ms: drops the tins (and packets) of removed peers. Cheap otherwise. */
    void housekeeping(long now) {
        if (now - lastHousekeeping < HOUSEKEEPING_NANOS) {
            return;
        }
        lastHousekeeping = now;
        List<Peer> gone = null;
        for (Map.Entry<Peer, Tin> e : tins.entrySet()) {
            if (e.getKey().isDestroyed()) {
                if (gone == null) {
                    gone = new ArrayList<>();
                }
                gone.add(e.getKey());
            }
        }
        if (gone != null) {
            for (Peer p : gone) {
                scheduler.removePeer(tins.remove(p));
            }
            lastPeer = null;
            lastTin = null;
        }
    }

    /** Releases everything queued (the owning thread is ending). */
    void clear() {
        for (Tin t : tins.values()) {
            scheduler.removePeer(t);
        }
        tins.clear();
        lastPeer = null;
        lastTin = null;
    }

    private Tin tin(Peer peer) {
        if (peer == lastPeer) {
            return lastTin;
        }
        Tin t = tins.get(peer);
        if (t == null) {
            t = receive
                    ? scheduler.addPeer(null, CarriedCounter.INSTANCE)
                    : scheduler.addPeer(peer, peer.counterSource());
            tins.put(peer, t);
            ParallelDataPath.PeerSendState s = peer.sendState;
            if (receive && s.lastRxTin == null) {
                s.lastRxTin = t;
            } else if (!receive && s.lastTin == null) {
                s.lastTin = t;
            }
        }
        lastPeer = peer;
        lastTin = t;
        return t;
    }
}
