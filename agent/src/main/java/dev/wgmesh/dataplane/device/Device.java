package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.BufferPool;
import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.cookie.CookieGenerator;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.MultiQueueTun;
import dev.wgmesh.dataplane.io.MultiSocketUdp;
import dev.wgmesh.dataplane.io.TunDevice;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.message.Limits;
import dev.wgmesh.dataplane.noise.LocalIdentity;
import dev.wgmesh.dataplane.routing.AllowedIps;
import dev.wgmesh.dataplane.session.IndexTable;
import dev.wgmesh.dataplane.session.Keypair;
import dev.wgmesh.dataplane.time.Clock;
import dev.wgmesh.dataplane.time.Scheduler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A userspace WireGuard interface (wireguard-go {@code Device}): a TUN on one side, a UDP transport on the other,
 * peers in between.
 *
 * <p>Threads ({@link DataPathMode}):
 *
 * <ul>
 *   <li>TUN reader — {@link SendPath}: route, then inline: stage, encrypt, send (batched); parallel: classify and
 *       hand off; per-flow: one reader per TUN queue, each with its own socket;
 *   <li>UDP receiver — {@link ReceivePath}: inline: decrypt, replay check, allowed-IPs check, write to the TUN;
 *       parallel: index and key checks, hand off; per-flow: one receiver per socket, each with its own TUN queue;
 *   <li>parallel and hybrid — the dispatcher of {@link ParallelDataPath} (FQ-CoDel, DRR, DQL budget) and its crypto
 *       threads, one per core counting the dispatcher (it helps while batches wait), which also run the send and
 *       receive stages after crypto ({@link TransportSink});
 *   <li>handshake worker — {@link HandshakeWorker}: handshakes, cookies, rate limiting;
 *   <li>the {@link Scheduler}'s thread — peer timers (rekey, keepalive, retransmission, zeroing).
 * </ul>
 *
 * <p>Configuration goes through {@link #apply} (validated in full, then applied under {@link #configLock}); the
 * data path reads only volatile fields and lock-free tables, so configuration never blocks packets.
 */
public final class Device implements DeviceConfigurator, AutoCloseable {
    /**
     * Largest inner packet read from the TUN: what fits a transport message in one UDP datagram, so any MTU an
     * operator sets works (wireguard-go and Linux allow up to 65,535).
     */
    static final int MAX_INNER_PACKET = Limits.MAX_INNER_PACKET;

    /**
     * The packet size pool buffers are made for, at least: Ethernet's 1,500, so the usual mixes of 1,420 and 1,500
     * between peers never grow a buffer. Why not 64 KiB as wireguard-go: a packet is at most the MTU once super-packets
     * are split (offloads) or before they are merged (the coalescer has buffers of its own), and a pool of thousands
     * of 64 KiB buffers held up to 256 MiB, copied by the young collections while it grew (pauses of 30–70 ms in a
     * daemon's first seconds under load). A larger MTU raises the size ({@link #refreshMtu}); a larger packet grows
     * its buffer ({@link PacketBuffer#reserve}).
     */
    private static final int MIN_BUFFER_PACKET = 1500;
    /**
     * Every mode holds packets in FQ-CoDel (parallel: hand-offs, tins and batches; inline: each I/O thread's own
     * queues), so one pool size; buffers are created lazily.
     */
    private static final int POOL_BUFFERS = 4096;
    /**
     * Packets one inline I/O thread's FQ-CoDel holds ({@link InlineQueues}), as many as wireguard-go's and the
     * kernel's queues before crypto (1024). Under a flood only the threads of the flooded direction fill theirs;
     * should every thread of per-flow mode fill at once, reads find the pool empty and drop (counted) while the
     * queues drain — never a stall, as a thread with packets queued serves before it reads.
     */
    static final int INLINE_QUEUE_PACKETS = 1024;
    /**
     * Environment variable: {@code off} runs the inline modes without their FQ-CoDel (every packet encrypted in the
     * order read, the kernel's queues left to fill), for comparison; anything else, or unset, keeps it.
     */
    public static final String INLINE_FQ_ENV = "WGMESH_INLINE_FQ";

    private final boolean inlineQueues =
            !"off".equalsIgnoreCase(String.valueOf(System.getenv(INLINE_FQ_ENV)).trim());
    /**
     * Environment variable: {@code on} (the default) raises an idle inline I/O thread to real-time priority where the
     * platform permits ({@link WakeBoost}); {@code off} keeps every thread at ordinary priority.
     */
    public static final String WAKE_PRIORITY_ENV = "WGMESH_WAKE_PRIORITY";

    private final boolean wakePriority = parseWakePriority(System.getenv(WAKE_PRIORITY_ENV));
    /**
     * Environment variable (and system property {@code wgmesh.stall.guard}): {@code on} also lends real-time priority
     * to busy inline I/O threads kept off their CPU ({@link StallGuard}; needs {@link #WAKE_PRIORITY_ENV} on);
     * {@code off}, the default, does not. Off by default because it slows single-stream TCP when the applications
     * share the cores with the tunnel: 12-14% once warm, about half in the first seconds (see {@link StallGuard}).
     */
    public static final String STALL_GUARD_ENV = "WGMESH_STALL_GUARD";

    /**
     * Environment variable (and system property {@code wgmesh.express}): {@code on}, the default, lets the I/O threads
     * of the parallel and hybrid modes seal and open small packets themselves, within a budget ({@link
     * ExpressBudget}), instead of handing them to the dispatcher; {@code off} queues every packet, for comparison.
     */
    public static final String EXPRESS_ENV = "WGMESH_EXPRESS";

    private final boolean express = parseExpress(System.getProperty("wgmesh.express", System.getenv(EXPRESS_ENV)));

    /** Whether the inline threads' {@link WakeBoost}s are watched by a running {@link StallGuard}. */
    private final boolean guarded =
            wakePriority && parseStallGuard(System.getProperty("wgmesh.stall.guard", System.getenv(STALL_GUARD_ENV)));

    private final StallGuard stallGuard;

    /**
     * {@link #WAKE_PRIORITY_ENV}'s value: unset, blank or {@code on} is true, {@code off} false.
     *
     * @throws IllegalArgumentException naming the variable, for anything else
     */
    public static boolean parseWakePriority(String value) {
        return parseOnOff(WAKE_PRIORITY_ENV, value, true);
    }

    /**
     * {@link #STALL_GUARD_ENV}'s value: {@code on} is true; unset, blank or {@code off} false.
     *
     * @throws IllegalArgumentException naming the variable, for anything else
     */
    public static boolean parseStallGuard(String value) {
        return parseOnOff(STALL_GUARD_ENV, value, false);
    }

    /** Whether small packets may take the express path past the parallel path's queues ({@link #EXPRESS_ENV}). */
    boolean express() {
        return express;
    }

    /**
     * {@link #EXPRESS_ENV}'s value: unset, blank or {@code on} is true, {@code off} false.
     *
     * @throws IllegalArgumentException naming the variable, for anything else
     */
    public static boolean parseExpress(String value) {
        return parseOnOff(EXPRESS_ENV, value, true);
    }

    /** {@code on} or {@code off} (surrounding blanks ignored); {@code unset} for null or blank. */
    private static boolean parseOnOff(String name, String value, boolean unset) {
        String v = value == null ? "" : value.trim();
        return switch (v) {
            case "" -> unset;
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(name + " must be on or off, got '" + v + "'");
        };
    }

    /**
     * Parallel FQ-CoDel's memory limit in buffers (it charges a packet its buffer's capacity, as Linux charges
     * truesize): a quarter of the pool, so a flood that fills the queues still leaves buffers for reading and crypto.
     */
    private static final int QUEUE_BUFFERS = POOL_BUFFERS / 4;

    private final TunDevice tun;
    private final UdpTransport udp;
    private final Scheduler scheduler;
    private final Clock clock;
    private final DataPathMode mode;
    private final BufferPool pool;
    private final ParallelDataPath parallel;
    private final HybridChooser hybrid;
    private final ReceivePath receivePath;
    private final DeviceCounters counters = new DeviceCounters();
    private final IndexTable<IndexEntry> indices = new IndexTable<>();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final HandshakeWorker handshakeWorker;
    /** Lookup of peers by public key for the handshake worker. */
    private final Map<PublicKeyId, Peer> peerIndex = new ConcurrentHashMap<>();

    private final Object configLock = new Object();
    // guarded by configLock: peers in the order they were added, the configured values
    private final LinkedHashMap<PublicKeyId, Peer> peers = new LinkedHashMap<>();
    private byte[] privateKey;
    private int listenPort;
    private int fwmark;
    private final List<Thread> threads = new ArrayList<>();

    private volatile LocalIdentity identity;
    private volatile CookieGenerator cookieGenerator;
    private volatile boolean running;
    private volatile boolean closed;
    private volatile int mtu = Limits.DEFAULT_MTU;
    private volatile HandshakeListener handshakeListener = HandshakeListener.NONE;

    /**
     * @param tun the plaintext side; closed with the device
     * @param udp the encrypted side; closed with the device
     * @param scheduler runs peer timers; its clock is the device's clock
     */
    public Device(TunDevice tun, UdpTransport udp, Scheduler scheduler) {
        this(tun, udp, scheduler, DataPathMode.fromEnvironment());
    }

    /**
     * @param mode how the data path uses threads and cores
     */
    public Device(TunDevice tun, UdpTransport udp, Scheduler scheduler, DataPathMode mode) {
        this(tun, udp, scheduler, mode, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * @param cryptoWorkers crypto threads in {@link DataPathMode#PARALLEL} (ignored inline): this many minus one
     *     worker threads, and the dispatcher, which helps with queued batches
     */
    public Device(TunDevice tun, UdpTransport udp, Scheduler scheduler, DataPathMode mode, int cryptoWorkers) {
        this.tun = tun;
        this.udp = udp;
        this.scheduler = scheduler;
        this.clock = scheduler.clock();
        this.mode = mode;
        boolean par = mode == DataPathMode.PARALLEL || mode == DataPathMode.HYBRID;
        this.pool = new BufferPool(bufferSizeFor(Limits.DEFAULT_MTU), POOL_BUFFERS);
        this.parallel =
                par ? new ParallelDataPath(this, cryptoWorkers, (long) pool.bufferSize() * QUEUE_BUFFERS) : null;
        this.hybrid = mode == DataPathMode.HYBRID ? HybridChooser.fromEnvironment() : null;
        this.stallGuard = new StallGuard(this, tun.threadPriority());
        this.receivePath = new ReceivePath(this, parallel);
        this.handshakeWorker = new HandshakeWorker(this);
    }

    // ---- lifecycle ----

    /** Binds the UDP port if needed, starts the timers and the three threads (wireguard-go {@code Up}). */
    public void start() throws IOException {
        synchronized (configLock) {
            if (running || closed) {
                return;
            }
            if (udp.localPort() == 0) {
                listenPort = udp.bind(listenPort);
            }
            refreshMtu();
            running = true;
            for (Peer p : peers.values()) {
                p.timers.start();
            }
            String name = tun.name();
            if (mode == DataPathMode.PER_FLOW) {
                startPerFlowWorkers(name);
            } else {
                threads.add(startThread(new SendPath(this, parallel, hybrid), "wg-" + name + "-tun"));
                threads.add(startThread(receivePath, "wg-" + name + "-udp"));
            }
            if (parallel != null) {
                parallel.start();
                threads.add(startThread(parallel, "wg-" + name + "-dispatch"));
            }
            threads.add(startThread(handshakeWorker, "wg-" + name + "-handshake"));
            if (guarded && inlineQueues && (mode == DataPathMode.INLINE || mode == DataPathMode.PER_FLOW)) {
                threads.add(startThread(stallGuard, "wg-" + name + "-guard"));
            }
        }
    }

    /**
     * {@link DataPathMode#PER_FLOW}: per queue a TUN reader that sends on the queue's socket and a UDP receiver that
     * writes to the queue's TUN, both pinned to the queue's core. Queue 0's receiver is {@link #receivePath}.
     */
    private void startPerFlowWorkers(String name) {
        List<? extends TunDevice> queues = tun instanceof MultiQueueTun m ? m.queues() : List.of(tun);
        List<? extends UdpTransport> sockets = udp instanceof MultiSocketUdp u ? u.sockets() : List.of(udp);
        int workers = Math.min(queues.size(), sockets.size());
        for (int q = 0; q < workers; q++) {
            int queue = q;
            TunDevice t = queues.get(q);
            UdpTransport u = sockets.get(q);
            ReceivePath rx = q == 0 ? receivePath : new ReceivePath(this, null, t, u);
            SendPath txPath = new SendPath(this, null, t, u);
            threads.add(startThread(pinned(queue, txPath), "wg-" + name + "-tun-" + q));
            threads.add(startThread(pinned(queue, rx), "wg-" + name + "-udp-" + q));
        }
    }

    private Runnable pinned(int queue, Runnable work) {
        return () -> {
            if (tun instanceof MultiQueueTun m) {
                m.pinWorker(queue);
            }
            work.run();
        };
    }

    private static Thread startThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Stops the threads, closes TUN and UDP, wipes every key. */
    @Override
    public void close() {
        List<Thread> toJoin;
        synchronized (configLock) {
            if (closed) {
                return;
            }
            closed = true;
            running = false;
            for (Peer p : peers.values()) {
                p.destroy();
            }
            LocalIdentity id = identity;
            identity = null;
            cookieGenerator = null;
            if (id != null) {
                id.destroy();
            }
            Keys.wipe(privateKey);
            toJoin = List.copyOf(threads);
        }
        try {
            tun.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
        try {
            udp.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
        for (Thread t : toJoin) {
            t.interrupt();
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public boolean isRunning() {
        return running;
    }

    public DataPathMode mode() {
        return mode;
    }

    /**
     * Where {@code peer}'s transmit traffic goes through the parallel path (parallel mode; hybrid while the peer is
     * on it), hands its keepalive to the dispatcher, so it is sealed after the data already given counters ({@link
     * ParallelDataPath#requestKeepalive}); false where the caller sends it itself, as inline.
     */
    boolean keepaliveThroughDispatcher(Peer peer) {
        return parallel != null
                && (hybrid == null || peer.sendState.hybrid.parallel)
                && parallel.requestKeepalive(peer);
    }

    /** A session became usable somewhere: the parallel dispatcher resumes parked peer queues at once. */
    void onSessionReady() {
        if (parallel != null) {
            parallel.nudge();
        }
    }

    // ---- DeviceConfigurator ----

    @Override
    public void apply(ConfigChange change) throws ConfigException {
        ConfigPlan plan = ConfigPlan.validate(change);
        synchronized (configLock) {
            if (closed) {
                throw new ConfigException(ConfigException.EIO, "device is closed");
            }
            applySocketOptions(change);
            if (change.privateKey() != null) {
                applyPrivateKey(change.privateKey());
            }
            if (change.replacePeers()) {
                removePeersNotIn(plan);
            }
            for (ConfigPlan.PeerPlan pp : plan.peers()) {
                applyPeer(pp);
            }
        }
    }

    /** The only steps that can fail for outside reasons come first, and undo themselves, so failure changes nothing. */
    private void applySocketOptions(ConfigChange change) throws ConfigException {
        int oldMark = fwmark;
        if (change.fwmark() != null && change.fwmark() != fwmark) {
            try {
                udp.setFwmark(change.fwmark());
            } catch (IOException e) {
                throw new ConfigException(ConfigException.EIO, "cannot set fwmark", e);
            }
        }
        if (change.listenPort() != null && running && change.listenPort() != udp.localPort()) {
            try {
                udp.bind(change.listenPort());
            } catch (IOException e) {
                try {
                    udp.setFwmark(oldMark);
                } catch (IOException ignored) {
                    // the mark is best effort to restore
                }
                throw new ConfigException(ConfigException.EADDRINUSE, "cannot bind listen_port", e);
            }
        }
        if (change.fwmark() != null) {
            fwmark = change.fwmark();
        }
        if (change.listenPort() != null) {
            listenPort = running ? udp.localPort() : change.listenPort();
        }
    }

    private void applyPrivateKey(byte[] key) {
        if (privateKey != null && Arrays.equals(privateKey, key)) {
            return; // unchanged: keep every session
        }
        Keys.wipe(privateKey);
        boolean remove = Keys.isZero(key);
        privateKey = remove ? null : key.clone();
        LocalIdentity old = identity;
        LocalIdentity fresh = remove ? null : new LocalIdentity(key);
        identity = fresh;
        cookieGenerator = fresh == null ? null : new CookieGenerator(fresh.publicKey(), clock::nanoTime);
        for (Peer p : peers.values()) {
            // Sessions were authenticated by the old key: drop them (wireguard-go expires them too).
            p.keypairs.clear();
            p.handshake.setLocalIdentity(fresh);
        }
        if (old != null) {
            old.destroy();
        }
    }

    private void removePeersNotIn(ConfigPlan plan) {
        List<PublicKeyId> keep = new ArrayList<>();
        for (ConfigPlan.PeerPlan pp : plan.peers()) {
            if (!pp.change().remove()) {
                keep.add(pp.id());
            }
        }
        for (PublicKeyId id : List.copyOf(peers.keySet())) {
            if (!keep.contains(id)) {
                removePeer(id);
            }
        }
    }

    private void applyPeer(ConfigPlan.PeerPlan pp) {
        ConfigChange.PeerChange pc = pp.change();
        if (pc.remove()) {
            removePeer(pp.id());
            return;
        }
        Peer p = peers.get(pp.id());
        if (p == null) {
            if (pc.updateOnly()) {
                return;
            }
            p = createPeer(pp.id());
        }
        if (pc.presharedKey() != null) {
            p.setPresharedKey(Keys.isZero(pc.presharedKey()) ? null : pc.presharedKey());
        }
        if (pp.endpoint() != null) {
            p.setEndpoint(pp.endpoint());
        }
        if (pc.replaceAllowedIps()) {
            allowedIps.removeAll(p);
        }
        for (IpPrefix prefix : pc.allowedIps()) {
            allowedIps.insert(prefix, p);
        }
        if (pc.persistentKeepaliveSeconds() != null) {
            int old = p.timers.persistentKeepaliveSeconds();
            int now = pc.persistentKeepaliveSeconds();
            p.timers.setPersistentKeepaliveSeconds(now);
            if (now > 0 && now != old && running) {
                p.sendKeepalive(); // as wireguard-go: an immediate keepalive when the option is turned on
            }
        }
    }

    private Peer createPeer(PublicKeyId id) {
        Peer p = new Peer(this, id.key());
        p.handshake.setLocalIdentity(identity);
        peers.put(id, p);
        peerIndex.put(id, p);
        if (running) {
            p.timers.start();
        }
        return p;
    }

    private void removePeer(PublicKeyId id) {
        Peer p = peers.remove(id);
        if (p != null) {
            peerIndex.remove(id);
            allowedIps.removeAll(p);
            p.destroy();
        }
    }

    @Override
    public DeviceConfig snapshot() {
        synchronized (configLock) {
            List<DeviceConfig.PeerConfig> list = new ArrayList<>(peers.size());
            for (Peer p : peers.values()) {
                Endpoint e = p.endpoint();
                byte[] psk = p.presharedKey();
                list.add(new DeviceConfig.PeerConfig(
                        p.publicKey().clone(),
                        psk == null ? null : psk.clone(),
                        e == null ? null : e.toString(),
                        p.timers.persistentKeepaliveSeconds(),
                        allowedIps.prefixesOf(p),
                        p.timers.lastHandshakeEpochNanos(),
                        p.rxBytes(),
                        p.txBytes()));
            }
            return new DeviceConfig(
                    privateKey == null ? null : privateKey.clone(),
                    running ? udp.localPort() : listenPort,
                    fwmark,
                    List.copyOf(list));
        }
    }

    // ---- handshake events ----

    /** Who hears of completed and failed handshakes ({@link HandshakeListener#NONE} by default). Any thread. */
    public void setHandshakeListener(HandshakeListener listener) {
        handshakeListener = listener == null ? HandshakeListener.NONE : listener;
    }

    /** Handshake worker thread. */
    void handshakeCompleted(Peer peer, boolean initiator, long rttNanos) {
        try {
            handshakeListener.onHandshakeCompleted(peer.publicKey(), initiator, rttNanos);
        } catch (RuntimeException e) {
            System.getLogger(Device.class.getName()).log(System.Logger.Level.WARNING, "handshake listener failed", e);
        }
    }

    /** Timer scheduler thread. */
    void handshakeFailed(Peer peer, int attempts) {
        try {
            handshakeListener.onHandshakeFailed(peer.publicKey(), attempts);
        } catch (RuntimeException e) {
            System.getLogger(Device.class.getName()).log(System.Logger.Level.WARNING, "handshake listener failed", e);
        }
    }

    // ---- statistics and test hooks ----

    /**
     * True when packets pass per-peer FQ-CoDel queues whose statistics {@link #peerStatistics} reports: the parallel
     * and hybrid paths, and the inline ones unless {@link #INLINE_FQ_ENV} turned their queues off.
     */
    public boolean hasQueueStatistics() {
        return parallel != null || inlineQueues;
    }

    /** Whether the inline modes queue in their own FQ-CoDel ({@link InlineQueues}); see {@link #INLINE_FQ_ENV}. */
    boolean inlineQueues() {
        return inlineQueues;
    }

    /** A {@link WakeBoost} for an inline I/O thread moving packets of {@code tun}, watched by the {@link StallGuard}. */
    WakeBoost wakeBoost(TunDevice tun) {
        WakeBoost b = new WakeBoost(tun.threadPriority(), wakePriority, System::nanoTime);
        if (guarded) {
            stallGuard.watch(b);
        }
        return b;
    }

    /** Loans of priority the {@link StallGuard} made to stalled inline I/O threads (diagnostics, tests). */
    public long stallLoans() {
        return stallGuard.loans();
    }

    public DeviceCounters counters() {
        return counters;
    }

    /** Per-peer traffic and queue statistics, in configuration order. Cheap; any thread. */
    public List<PeerStatistics> peerStatistics() {
        List<Peer> list;
        synchronized (configLock) {
            list = List.copyOf(peers.values());
        }
        List<PeerStatistics> out = new ArrayList<>(list.size());
        for (Peer p : list) {
            dev.wgmesh.dataplane.queue.Tin tin = p.sendState.lastTin;
            dev.wgmesh.dataplane.queue.Tin rxTin = p.sendState.lastRxTin;
            out.add(new PeerStatistics(
                    p.publicKey().clone(),
                    p.rxBytes(),
                    p.txBytes(),
                    p.timers.lastHandshakeEpochNanos(),
                    tin == null ? null : tin.stats().snapshot(),
                    rxTin == null ? null : rxTin.stats().snapshot()));
        }
        return out;
    }

    /**
     * Per crypto worker: busy nanoseconds, batches, packets, failures (parallel mode, once started; empty
     * otherwise). Busy time over wall time is the worker's utilisation.
     */
    public List<dev.wgmesh.dataplane.stats.WorkerStats.Snapshot> workerStatistics() {
        dev.wgmesh.dataplane.stats.WorkerStats ws = parallel == null ? null : parallel.workerStats();
        if (ws == null) {
            return List.of();
        }
        List<dev.wgmesh.dataplane.stats.WorkerStats.Snapshot> out = new ArrayList<>(ws.workers());
        for (int w = 0; w < ws.workers(); w++) {
            out.add(ws.snapshot(w));
        }
        return out;
    }

    /**
     * The parallel path's per-stage waits, by stage: {@code tx_handoff} and {@code rx_handoff} (reader to
     * dispatcher, before FQ-CoDel), {@code worker_wait} (dispatch to a worker starting the batch), {@code crypto}
     * (dispatch until the batch left the send stage). Empty inline or before start. Any thread.
     */
    public Map<String, dev.wgmesh.dataplane.stats.LogHistogram> stageLatencies() {
        return parallel == null ? Map.of() : parallel.stageLatencies();
    }

    /** The crypto budget's current limit in bytes (parallel mode; 0 inline). */
    public long cryptoBudgetLimit() {
        return parallel == null ? 0 : parallel.budgetLimit();
    }

    /** The keypair we currently send with to {@code publicKey}, or null (diagnostics and tests). */
    public Keypair currentKeypair(byte[] publicKey) {
        Peer p = peerIndex.get(PublicKeyId.of(publicKey, 0));
        return p == null ? null : p.keypairs.current();
    }

    /** Tests: wraps each crypto worker's operation (random delays); before {@link #start}, parallel mode only. */
    void decorateCrypto(java.util.function.UnaryOperator<dev.wgmesh.dataplane.pipeline.CryptoOp> d) {
        if (parallel == null) {
            throw new IllegalStateException("not in parallel mode");
        }
        parallel.setDecorator(d);
    }

    /** Tests: demand cookies as if the handshake queue were deep. */
    void setForceUnderLoad(boolean on) {
        handshakeWorker.setForceUnderLoad(on);
    }

    Peer peer(byte[] publicKey) {
        return peerIndex.get(PublicKeyId.of(publicKey, 0));
    }

    // ---- for the paths (package-private) ----

    TunDevice tun() {
        return tun;
    }

    UdpTransport udp() {
        return udp;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    Clock clock() {
        return clock;
    }

    BufferPool pool() {
        return pool;
    }

    IndexTable<IndexEntry> indices() {
        return indices;
    }

    AllowedIps<Peer> allowedIps() {
        return allowedIps;
    }

    ReceivePath receivePath() {
        return receivePath;
    }

    HandshakeWorker handshakeWorker() {
        return handshakeWorker;
    }

    LocalIdentity identity() {
        return identity;
    }

    CookieGenerator cookieGenerator() {
        return cookieGenerator;
    }

    Peer peerByKey(byte[] key, int off) {
        return peerIndex.get(PublicKeyId.of(key, off));
    }

    int mtu() {
        return mtu;
    }

    /** A buffer with room for a packet of the MTU (at least {@link #MIN_BUFFER_PACKET}), its header, padding and tag. */
    static int bufferSizeFor(int mtu) {
        int packet = (Math.max(mtu, MIN_BUFFER_PACKET) + 15) & -16;
        return PacketBuffer.HEADROOM + packet + PacketBuffer.TAILROOM;
    }

    /** Room a TUN read buffer needs from its offset: the MTU, then padding and tag. */
    int readRoom() {
        return mtu + PacketBuffer.TAILROOM;
    }

    void refreshMtu() {
        try {
            int m = tun.mtu();
            if (m > 0) {
                mtu = Math.min(m, MAX_INNER_PACKET);
                pool.raiseBufferSize(bufferSizeFor(mtu));
            }
        } catch (IOException e) {
            // keep the last known MTU
        }
    }
}
