package dev.wgmesh.agent.probe;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Active latency probes through the tunnel to mesh peers, and the echo responder that answers theirs.
 *
 * <p>Flow and threads (one blocking UDP {@link DatagramChannel} bound to the agent's own tunnel address, port {@link #DEFAULT_PORT}):
 * <ol>
 *   <li>sender thread ({@code wgmesh-probe-send}): per peer, every {@code interval} ± {@code jitter}, writes a request
 *       ({@link ProbePacket}) into its one reusable buffer and sends it; settles probes older than {@code timeout} as
 *       lost; at the end of each report interval publishes the peer's {@link ProbeFigures}.
 *   <li>receiver thread ({@code wgmesh-probe-recv}): receives into its one reusable buffer; a request is echoed back
 *       as a reply from the same buffer; a reply is matched to its peer and probe and settles it.
 * </ol>
 * Steady state allocates nothing per probe in this code: packets and buffers are reused, peer lookup is an array
 * index, send times live in a ring. Peers are added and removed at any time from any thread (copy-on-write array).
 *
 * <p>Because the socket is bound to the tunnel address, probes and answers travel through the tunnel and measure
 * what user traffic sees (encryption, queues); peers reach the responder only through WireGuard's authenticated
 * path (or from the host itself).
 */
public final class LatencyProber implements AutoCloseable {
    public static final int DEFAULT_PORT = 51821;
    private static final Logger LOG = System.getLogger(LatencyProber.class.getName());
    private static final int MAX_PEERS = 1 << 16;

    /**
     * @param interval time between two probes to one peer (default 1 s)
     * @param jitter fraction of the interval added or taken at random, 0..0.5, so probes to many peers spread out
     * @param timeout a probe not answered within it is lost (must be below {@link PeerProbe#RING} intervals)
     * @param reportInterval length of the window min/avg/p99/loss are computed over (the agent's stats interval)
     */
    public record Settings(Duration interval, double jitter, Duration timeout, Duration reportInterval) {
        public static final Settings DEFAULT =
                new Settings(Duration.ofSeconds(1), 0.1, Duration.ofSeconds(2), Duration.ofSeconds(10));

        /**
         * Defaults, with min/avg/p99/loss over the agent's stats interval ({@code --stats-interval}); a stats interval
         * shorter than the default probe interval shortens the probe interval (and the timeout with it) to match.
         */
        public static Settings forReportInterval(Duration reportInterval) {
            if (reportInterval.compareTo(DEFAULT.interval) >= 0) {
                return new Settings(DEFAULT.interval, DEFAULT.jitter, DEFAULT.timeout, reportInterval);
            }
            return new Settings(reportInterval, DEFAULT.jitter, reportInterval.multipliedBy(2), reportInterval);
        }

        public Settings {
            if (interval.isNegative() || interval.isZero() || reportInterval.compareTo(interval) < 0) {
                throw new IllegalArgumentException("probe interval must be positive and not above the report interval");
            }
            if (!(jitter >= 0 && jitter <= 0.5)) {
                throw new IllegalArgumentException("probe jitter must be 0..0.5");
            }
            if (timeout.isNegative()
                    || timeout.isZero()
                    || timeout.compareTo(interval.multipliedBy(PeerProbe.RING / 2)) > 0) {
                throw new IllegalArgumentException(
                        "probe timeout must be positive and at most " + PeerProbe.RING / 2 + " probe intervals");
            }
        }
    }

    private final Settings settings;
    private final DatagramChannel channel;
    private final byte[] token = new byte[ProbePacket.TOKEN_LENGTH];
    private final Map<String, PeerProbe> byId = new ConcurrentHashMap<>();
    private final Object registryLock = new Object();
    // guarded by registryLock for writes; read lock-free by both threads
    private volatile PeerProbe[] slots = new PeerProbe[0];
    // guarded by registryLock
    private int nextGeneration;
    private final AtomicLong stray = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final Thread sender;
    private final Thread receiver;
    private volatile boolean running = true;

    /** Binds the socket (the agent's tunnel address and probe port) and starts both threads. */
    public LatencyProber(InetSocketAddress bind, Settings settings) throws IOException {
        this.settings = settings;
        new SecureRandom().nextBytes(token);
        this.channel = DatagramChannel.open().bind(bind);
        this.sender = Thread.ofPlatform().name("wgmesh-probe-send").daemon().unstarted(this::sendLoop);
        this.receiver = Thread.ofPlatform().name("wgmesh-probe-recv").daemon().unstarted(this::receiveLoop);
        sender.start();
        receiver.start();
    }

    /** The address the socket is bound to (useful when the port was 0). */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException ex) {
            throw new IllegalStateException("probe socket is closed", ex);
        }
    }

    /**
     * Starts probing {@code peer} (e.g. the base64 public key) at {@code target} (its tunnel address and probe
     * port). Re-adding a peer with another target restarts its figures; with the same target it changes nothing.
     */
    public void addPeer(String peer, InetSocketAddress target) {
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("probe target must be an address literal");
        }
        synchronized (registryLock) {
            PeerProbe old = byId.get(peer);
            if (old != null && old.target.equals(target)) {
                return;
            }
            PeerProbe[] cur = slots;
            int slot = old != null ? old.slot : freeSlot(cur);
            long now = System.nanoTime();
            PeerProbe p = new PeerProbe(
                    peer, target, slot, nextGeneration++ & 0xffff, now, settings.reportInterval.toNanos());
            PeerProbe[] next = Arrays.copyOf(cur, Math.max(cur.length, slot + 1));
            next[slot] = p;
            slots = next;
            byId.put(peer, p);
        }
        LockSupport.unpark(sender);
    }

    public void removePeer(String peer) {
        synchronized (registryLock) {
            PeerProbe old = byId.remove(peer);
            if (old != null) {
                PeerProbe[] next = slots.clone();
                next[old.slot] = null;
                slots = next;
            }
        }
    }

    /** The peers being probed. */
    public java.util.Set<String> peers() {
        return java.util.Set.copyOf(byId.keySet());
    }

    /** The peer's figures, or empty when it is not probed. */
    public Optional<ProbeFigures> figures(String peer) {
        PeerProbe p = byId.get(peer);
        return p == null ? Optional.empty() : Optional.of(p.figures());
    }

    /** Datagrams ignored: malformed, not ours, forged, late duplicates. */
    public long strayPackets() {
        return stray.get();
    }

    public long answeredProbes() {
        return answered.get();
    }

    public long sendErrors() {
        return sendErrors.get();
    }

    private static int freeSlot(PeerProbe[] cur) {
        for (int i = 0; i < cur.length; i++) {
            if (cur[i] == null) {
                return i;
            }
        }
        if (cur.length >= MAX_PEERS) {
            throw new IllegalStateException("too many probed peers");
        }
        return cur.length;
    }

    private void sendLoop() {
        byte[] buf = new byte[ProbePacket.LENGTH];
        ByteBuffer packet = ByteBuffer.wrap(buf);
        SplittableRandom random = new SplittableRandom();
        long intervalNanos = settings.interval.toNanos();
        long timeoutNanos = settings.timeout.toNanos();
        long reportNanos = settings.reportInterval.toNanos();
        while (running) {
            long now = System.nanoTime();
            long wake = now + intervalNanos;
            for (PeerProbe p : slots) {
                if (p == null) {
                    continue;
                }
                p.expire(now, timeoutNanos);
                if (now - p.intervalEndNanos >= 0) {
                    p.rotate();
                    p.intervalEndNanos = now + reportNanos;
                }
                if (now - p.nextDueNanos >= 0) {
                    send(p, packet, buf, now);
                    double spread = settings.jitter * (2 * random.nextDouble() - 1);
                    p.nextDueNanos = now + (long) (intervalNanos * (1 + spread));
                }
                wake = Math.min(wake, Math.min(p.nextDueNanos, p.intervalEndNanos));
                wake = Math.min(wake, now + timeoutNanos / 4); // timeouts are noticed within a quarter timeout
            }
            long sleep = wake - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(this, sleep);
            }
        }
    }

    private void send(PeerProbe p, ByteBuffer packet, byte[] buf, long now) {
        long seq = p.begin(now);
        ProbePacket.writeRequest(buf, p.slot, p.generation, seq, now, token);
        packet.clear();
        try {
            channel.send(packet, p.target);
        } catch (IOException ex) {
            // No route, interface down...: the probe times out and counts as lost. Counted, not logged per probe.
            if (sendErrors.getAndIncrement() == 0) {
                LOG.log(Level.DEBUG, "probe send failed: {0}", ex.getMessage());
            }
        }
    }

    private void receiveLoop() {
        byte[] buf = new byte[ProbePacket.LENGTH + 1]; // one spare byte: a longer datagram is not a probe
        ByteBuffer packet = ByteBuffer.wrap(buf);
        while (running) {
            try {
                packet.clear();
                SocketAddress from = channel.receive(packet); // the JDK reuses the address object of a repeat sender
                long now = System.nanoTime();
                int len = packet.position();
                if (ProbePacket.is(buf, len, ProbePacket.REQUEST)) {
                    buf[ProbePacket.TYPE] = ProbePacket.REPLY;
                    packet.flip();
                    channel.send(packet, from); // back to where it came from, same length
                } else if (!ProbePacket.is(buf, len, ProbePacket.REPLY) || !settle(from, buf, now)) {
                    stray.incrementAndGet();
                }
            } catch (ClosedChannelException ex) {
                return;
            } catch (IOException ex) {
                if (running) {
                    LOG.log(Level.DEBUG, "probe socket: {0}", ex.getMessage());
                }
            }
        }
    }

    private boolean settle(SocketAddress from, byte[] buf, long now) {
        if (!ProbePacket.tokenMatches(buf, token)) {
            return false;
        }
        PeerProbe[] cur = slots;
        int slot = ProbePacket.slot(buf);
        PeerProbe p = slot < cur.length ? cur[slot] : null;
        if (p == null || p.generation != ProbePacket.gen(buf) || !p.target.equals(from)) {
            return false;
        }
        if (!p.answer(ProbePacket.seq(buf), ProbePacket.sendNanos(buf), now)) {
            return false;
        }
        answered.incrementAndGet();
        return true;
    }

    @Override
    public void close() {
        running = false;
        try {
            channel.close();
        } catch (IOException ex) {
            LOG.log(Level.DEBUG, "closing the probe socket: {0}", ex.getMessage());
        }
        LockSupport.unpark(sender);
        try {
            sender.join(2000);
            receiver.join(2000);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
