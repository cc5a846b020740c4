package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.stats.PeerQueueStats;

/**
 * The transmit scheduler: FQ-CoDel per peer ({@link FqCodel} tins) and deficit round robin across peers, and the
 * output stage that hands packets to crypto with their transport counters.
 *
 * <pre>
 *   TUN reader ─▶ classify ─▶ enqueue(tin, buf) ─▶ [ FqCodel: flows of tin A | flows of tin B | ... ]
 *                                                              │ DRR across active tins, one quantum each
 *   crypto dispatch ◀─ counter = tin.counters.next(), owner ◀──┘ dequeue() / dequeueBatch()
 * </pre>
 *
 * <p>Per-peer fairness: every active peer gets one {@code peerQuantum} of bytes per round whatever its number of
 * flows, so a peer that opens many flows does not grow its share (the per-host fairness CAKE gets by scaling flow
 * quanta by the host's flow count); inside a peer, flows share by FQ-CoDel's DRR.
 *
 * <p>Counters are assigned here, when a packet leaves the scheduler, never at enqueue: the order in which a peer's
 * packets leave is the order of their counters, and the crypto pipeline keeps that order per peer.
 *
 * <p>Threading contract: single-threaded. The one scheduler thread calls every method ({@link #addPeer},
 * {@link #removePeer}, {@link #enqueue}, {@link #dequeue}, {@link #dequeueBatch}); packets produced by other
 * threads (a TUN reader) reach it through a hand-off queue. Statistics are read anywhere via {@link Tin#stats()}.
 */
public final class PeerScheduler {
    private final FqCodel fq;
    private final int peerQuantum;
    private Tin activeHead;
    private Tin activeTail;
    private Tin parkedHead;

    /**
     * @param peerQuantum bytes a peer may send per DRR round; at least one full packet (mtu + overhead)
     */
    public PeerScheduler(FqCodel fq, int peerQuantum) {
        if (peerQuantum < fq.config().mtu() + fq.config().overhead()) {
            throw new IllegalArgumentException("peer quantum must hold a full packet");
        }
        this.fq = fq;
        this.peerQuantum = peerQuantum;
    }

    public PeerScheduler(FqCodel fq) {
        this(fq, fq.config().quantum());
    }

    /**
     * Adds a peer; {@code owner} is copied into each departing packet's {@code PacketBuffer.owner}. A null owner
     * leaves each packet's own {@code owner} in place (the receive side, whose packets carry their keypair there).
     */
    public Tin addPeer(Object owner, CounterSource counters) {
        return fq.addTin(owner, counters);
    }

    /** Removes a peer and releases its queued packets. */
    public void removePeer(Tin tin) {
        if (tin.active) {
            unlinkActive(tin);
        }
        if (tin.parked) {
            unlinkParked(tin);
        }
        fq.removeTin(tin);
    }

    /** Queues a packet for a peer; never blocks. Returns the packets dropped to make room (see {@link FqCodel}). */
    public int enqueue(Tin tin, PacketBuffer b) {
        int dropped = fq.enqueue(tin, b);
        if (!tin.active && !tin.parked && tin.packets > 0) {
            activate(tin);
        }
        return dropped;
    }

    private void activate(Tin tin) {
        tin.active = true;
        tin.peerDeficit = 0; // gets its quantum when first served, like every DRR newcomer
        tin.nextActive = null;
        if (activeTail == null) {
            activeHead = tin;
        } else {
            activeTail.nextActive = tin;
        }
        activeTail = tin;
    }

    /**
     * Moves every parked tin whose counter source is ready again back into the DRR round (call when a peer may have
     * completed a handshake; cheap when nothing is parked).
     *
     * @return the number of tins resumed
     */
    public int resumeReady() {
        int n = 0;
        Tin prev = null;
        Tin t = parkedHead;
        while (t != null) {
            Tin next = t.nextActive;
            if (t.counters.ready()) {
                if (prev == null) {
                    parkedHead = next;
                } else {
                    prev.nextActive = next;
                }
                t.nextActive = null;
                t.parked = false;
                if (t.packets > 0) {
                    activate(t);
                }
                n++;
            } else {
                prev = t;
            }
            t = next;
        }
        return n;
    }

    /**
     * Takes one parked tin off the parked list, its packets still queued, neither parked nor active afterwards (the
     * caller empties it with {@code fq().dequeue(tin)}, or enqueues again, which makes it active); null when none is
     * parked. For a caller that moves such packets elsewhere (an inline sender hands them to the peer's handshake
     * staging queue rather than holding a tin it cannot serve).
     */
    public Tin pollParked() {
        Tin t = parkedHead;
        if (t == null) {
            return null;
        }
        parkedHead = t.nextActive;
        t.nextActive = null;
        t.parked = false;
        return t;
    }

    /** True when some tin waits, parked, for its counter source. */
    public boolean hasParked() {
        return parkedHead != null;
    }

    private void park(Tin t) {
        unlinkActive(t);
        t.parked = true;
        t.nextActive = parkedHead;
        parkedHead = t;
    }

    private void unlinkParked(Tin t) {
        Tin prev = null;
        for (Tin x = parkedHead; x != null; prev = x, x = x.nextActive) {
            if (x == t) {
                if (prev == null) {
                    parkedHead = x.nextActive;
                } else {
                    prev.nextActive = x.nextActive;
                }
                break;
            }
        }
        t.nextActive = null;
        t.parked = false;
    }

    /**
     * The next packet by DRR across peers, with {@code counter} and {@code owner} set, or null when all queues are
     * empty.
     */
    public PacketBuffer dequeue() {
        while (activeHead != null) {
            Tin t = activeHead;
            if (t.peerDeficit <= 0) {
                t.peerDeficit += peerQuantum;
                if (t != activeTail) {
                    activeHead = t.nextActive;
                    t.nextActive = null;
                    activeTail.nextActive = t;
                    activeTail = t;
                }
                continue;
            }
            if (!t.counters.ready()) {
                park(t); // no session yet: its packets wait in its queues, other peers go on
                continue;
            }
            PacketBuffer b = fq.dequeue(t);
            if (b == null) {
                unlinkActive(t);
                continue;
            }
            long counter = t.counters.next(b);
            if (counter < 0) {
                t.stats.add(PeerQueueStats.DROPS_NONCE, 1);
                b.release();
                continue;
            }
            t.peerDeficit -= fq.cost(b);
            b.counter = counter;
            if (t.owner != null) {
                b.owner = t.owner;
            }
            return b;
        }
        return null;
    }

    /**
     * Dequeues up to {@code maxPackets} packets into {@code out[0..]}, stopping once {@code maxBytes} (as charged by
     * {@link FqCodel#cost}) have been taken; the last packet may cross the byte bound, as in DQL.
     *
     * @return the number of packets written to {@code out}
     */
    public int dequeueBatch(PacketBuffer[] out, int maxPackets, long maxBytes) {
        int n = 0;
        long bytes = 0;
        int max = Math.min(maxPackets, out.length);
        while (n < max && bytes < maxBytes) {
            PacketBuffer b = dequeue();
            if (b == null) {
                break;
            }
            out[n++] = b;
            bytes += fq.cost(b);
        }
        return n;
    }

    /** Packets queued over all peers. */
    public int packets() {
        return fq.packets();
    }

    public FqCodel fq() {
        return fq;
    }

    private void unlinkActive(Tin t) {
        Tin prev = null;
        for (Tin x = activeHead; x != null; prev = x, x = x.nextActive) {
            if (x == t) {
                if (prev == null) {
                    activeHead = x.nextActive;
                } else {
                    prev.nextActive = x.nextActive;
                }
                if (activeTail == x) {
                    activeTail = prev;
                }
                break;
            }
        }
        t.nextActive = null;
        t.active = false;
        t.peerDeficit = 0;
    }
}
