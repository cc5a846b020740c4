package dev.wgmesh.dataplane.queue;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.stats.PeerQueueStats;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * FQ-CoDel (RFC 8290) organised as {@code include/net/fq.h} does for mac80211: one array of flow queues shared by
 * all tins (a tin is a peer), so memory does not grow with the number of peers; a flow slot held by one tin that
 * another tin's packet hashes to sends that packet to the second tin's default flow (a collision, counted).
 *
 * <p>Per tin (RFC 8290 §4): new flows go on {@code new_flows} with a full quantum and are served first (sparse
 * flows see almost no queueing delay); a flow that used up its deficit gets another quantum and moves to the tail
 * of {@code old_flows}; a new flow that runs empty moves to {@code old_flows} when that list is non-empty (so it
 * cannot regain priority at once) and otherwise leaves. CoDel runs per flow at dequeue.
 *
 * <p>Limits: a packet limit and a memory limit for the whole structure; on overflow up to half of the fattest
 * flow's backlog (at most {@code dropBatch} packets) is dropped from its head (RFC 8290 §4.1.3, Linux
 * {@code fq_codel_drop}). {@link #enqueue} never blocks and never requeues.
 *
 * <p>Threading: not thread-safe. One scheduler thread calls everything; only {@link Tin#stats()} is read elsewhere.
 */
public final class FqCodel {
    /** Limits and parameters; the defaults are Linux fq_codel's with a WireGuard-sized MTU. */
    public record Config(
            int flows,
            int packetLimit,
            long memoryLimit,
            int mtu,
            int overhead,
            int quantum,
            long targetNanos,
            long intervalNanos,
            boolean ecn,
            int dropBatch) {
        /** WireGuard's default inner MTU. */
        public static final int DEFAULT_MTU = 1420;
        /** Transport-data header (16) and Poly1305 tag (16) each packet adds on the wire. */
        public static final int WIREGUARD_OVERHEAD = 32;

        public Config {
            if (flows < 1 || packetLimit < 1 || memoryLimit < 1 || mtu < 1 || overhead < 0 || dropBatch < 1) {
                throw new IllegalArgumentException("invalid FQ-CoDel limits");
            }
            if (quantum < mtu + overhead) {
                throw new IllegalArgumentException("quantum must hold a full packet (mtu + overhead)");
            }
        }

        public static Config defaults() {
            return new Config(
                    1024,
                    10240,
                    32L << 20,
                    DEFAULT_MTU,
                    WIREGUARD_OVERHEAD,
                    DEFAULT_MTU + WIREGUARD_OVERHEAD,
                    Codel.DEFAULT_TARGET_NANOS,
                    Codel.DEFAULT_INTERVAL_NANOS,
                    true,
                    64);
        }

        public Config withLimits(int packetLimit, long memoryLimit) {
            return new Config(
                    flows,
                    packetLimit,
                    memoryLimit,
                    mtu,
                    overhead,
                    quantum,
                    targetNanos,
                    intervalNanos,
                    ecn,
                    dropBatch);
        }

        public Config withEcn(boolean ecn) {
            return new Config(
                    flows,
                    packetLimit,
                    memoryLimit,
                    mtu,
                    overhead,
                    quantum,
                    targetNanos,
                    intervalNanos,
                    ecn,
                    dropBatch);
        }
    }

    private final Config config;
    private final LongSupplier clock;
    private final Codel codel;
    private final Flow[] flows;
    private final FlowQueue flowQueue = new FlowQueue();
    private Tin[] tins = new Tin[8];
    private int tinCount;
    private int packets;
    private long memory;

    public FqCodel(Config config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.codel =
                new Codel(config.targetNanos(), config.intervalNanos(), config.mtu() + config.overhead(), config.ecn());
        this.flows = new Flow[config.flows()];
        for (int i = 0; i < flows.length; i++) {
            flows[i] = new Flow(i);
        }
    }

    /** Adds a tin (peer). Configuration time: may allocate. */
    public Tin addTin(Object owner, CounterSource counters) {
        Tin t = new Tin(owner, counters);
        if (tinCount == tins.length) {
            tins = Arrays.copyOf(tins, tinCount * 2);
        }
        tins[tinCount++] = t;
        return t;
    }

    /** Removes a tin, releasing everything it still holds. The tin may not be used afterwards. */
    public void removeTin(Tin t) {
        for (int list = Flow.NEW_LIST; list <= Flow.OLD_LIST; list++) {
            while ((list == Flow.NEW_LIST ? t.newHead : t.oldHead) != null) {
                Flow f = t.popHead(list);
                PacketBuffer b;
                while ((b = f.poll()) != null) {
                    account(f, b, -1);
                    b.release();
                }
                f.tin = null;
            }
        }
        t.removed = true;
        for (int i = 0; i < tinCount; i++) {
            if (tins[i] == t) {
                tins[i] = tins[--tinCount];
                tins[tinCount] = null;
                break;
            }
        }
    }

    /**
     * Queues a packet for a tin; {@code b.flowHash} must hold the {@link FlowClassifier} hash. Stamps the enqueue
     * time. If that pushes the structure over a limit, drops from the fattest flow (counted, buffers released).
     *
     * @return the number of packets dropped to make room (0 in the common case)
     */
    public int enqueue(Tin tin, PacketBuffer b) {
        if (tin.removed) {
            throw new IllegalStateException("tin was removed");
        }
        Flow f = flows[(int) (((b.flowHash & 0xffff_ffffL) * flows.length) >>> 32)];
        if (f.tin != null && f.tin != tin) {
            f = tin.defaultFlow;
            tin.stats.add(PeerQueueStats.COLLISIONS, 1);
        }
        f.tin = tin;
        b.enqueueNanos = clock.getAsLong();
        f.add(b);
        account(f, b, +1);
        tin.stats.add(PeerQueueStats.ENQUEUED_PACKETS, 1);
        if (f.list == Flow.NO_LIST) {
            f.deficit = config.quantum();
            tin.append(f, Flow.NEW_LIST);
        }
        int dropped = 0;
        while (packets > config.packetLimit() || memory > config.memoryLimit()) {
            dropped += dropFromFattest();
        }
        return dropped;
    }

    /**
     * The tin's next packet by DRR over its flows with sparse-flow priority and CoDel, or null when it has none.
     * Packets CoDel drops on the way are counted and released; marked packets are counted and returned.
     */
    public PacketBuffer dequeue(Tin tin) {
        long now = clock.getAsLong();
        while (true) {
            int list;
            Flow f;
            if (tin.newHead != null) {
                list = Flow.NEW_LIST;
                f = tin.newHead;
            } else if (tin.oldHead != null) {
                list = Flow.OLD_LIST;
                f = tin.oldHead;
            } else {
                return null;
            }
            if (f.deficit <= 0) {
                f.deficit += config.quantum();
                tin.append(tin.popHead(list), Flow.OLD_LIST);
                continue;
            }
            flowQueue.flow = f;
            PacketBuffer b = codel.dequeue(f.codel, flowQueue, now);
            if (b == null) {
                tin.popHead(list);
                if (list == Flow.NEW_LIST && tin.oldHead != null) {
                    tin.append(f, Flow.OLD_LIST); // forced pass through old_flows: no starvation by re-entry
                } else {
                    f.tin = null;
                }
                continue;
            }
            int cost = cost(b);
            f.deficit -= cost;
            tin.stats.add(PeerQueueStats.DEQUEUED_PACKETS, 1);
            tin.stats.add(PeerQueueStats.DEQUEUED_BYTES, cost);
            tin.stats.recordSojourn(now - b.enqueueNanos);
            return b;
        }
    }

    /** What DRR and CoDel charge for a packet: its length plus the per-packet overhead. */
    public int cost(PacketBuffer b) {
        return b.length + config.overhead();
    }

    public int packets() {
        return packets;
    }

    public long memoryUsage() {
        return memory;
    }

    public Config config() {
        return config;
    }

    private void account(Flow f, PacketBuffer b, int sign) {
        long cost = cost(b);
        long mem = b.capacity();
        f.backlog += sign * cost;
        f.memory += sign * mem;
        Tin t = f.tin;
        t.packets += sign;
        t.backlog += sign * cost;
        packets += sign;
        memory += sign * mem;
        t.stats.depth(t.packets, t.backlog);
    }

    /** Drops up to half of the fattest flow's backlog (at most dropBatch packets) from its head. */
    private int dropFromFattest() {
        Flow fat = null;
        long max = -1;
        for (Flow f : flows) {
            if (f.backlog > max) {
                max = f.backlog;
                fat = f;
            }
        }
        for (int i = 0; i < tinCount; i++) {
            Flow f = tins[i].defaultFlow;
            if (f.backlog > max) {
                max = f.backlog;
                fat = f;
            }
        }
        if (fat == null || fat.packets == 0) {
            throw new IllegalStateException("over limit with nothing queued");
        }
        long threshold = max >> 1;
        long dropped = 0;
        int n = 0;
        do {
            PacketBuffer b = fat.poll();
            dropped += cost(b);
            account(fat, b, -1);
            fat.tin.stats.add(PeerQueueStats.DROPS_OVERFLOW, 1);
            b.release();
            n++;
        } while (n < config.dropBatch() && dropped < threshold && fat.packets > 0);
        return n;
    }

    /** Presents the flow being served to CoDel without allocating (the scheduler thread sets {@link #flow}). */
    private final class FlowQueue implements Codel.Queue {
        Flow flow;

        @Override
        public PacketBuffer pollHead() {
            PacketBuffer b = flow.poll();
            if (b != null) {
                account(flow, b, -1);
            }
            return b;
        }

        @Override
        public long backlogBytes() {
            return flow.backlog;
        }

        @Override
        public void onCodelDrop(PacketBuffer b) {
            flow.tin.stats.add(PeerQueueStats.DROPS_CODEL, 1);
            b.release();
        }

        @Override
        public void onCodelMark(PacketBuffer b) {
            flow.tin.stats.add(PeerQueueStats.ECN_MARKS, 1);
        }
    }
}
