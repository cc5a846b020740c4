package dev.wgmesh.dataplane.io.memory;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.UdpTransport;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

/**
 * A simulated UDP network for tests (wireguard-go {@code conn/bindtest}): {@link #newTransport} creates {@link
 * UdpTransport} endpoints, each with one host address, that reach each other by {@code address:port}.
 *
 * <p>Delivery is synchronous: {@code send} copies the datagram straight into the receiver's bounded inbox (full
 * = dropped and counted, as a socket buffer). Datagrams to an unbound {@code address:port} vanish, as with UDP.
 * Faults on demand: {@link #dropNext}, {@link #duplicateNext}, {@link #reorderNext}, a seeded random {@link
 * #setLossRate loss rate}, or a custom {@link Interceptor}. Transports can {@linkplain UdpTransport#bind rebind}
 * to another port and {@linkplain Transport#roam roam} to another address (NAT rebinding, mobile roaming).
 *
 * <p>Allocation: none per datagram once warm (recycled slots, an array of bound transports scanned linearly —
 * the networks of tests are small), and {@code receive} fills the caller's {@link Endpoint} in place.
 */
public final class MemoryNetwork {

    /** What to do with one datagram; see {@link Interceptor}. */
    public enum Verdict {
        DELIVER,
        DROP,
        DUPLICATE,
        /** Hold it back and deliver it right after the next datagram that is delivered (one reordering). */
        DELAY
    }

    /** Decides each datagram's fate (called on the sending thread, under the network's lock). */
    @FunctionalInterface
    public interface Interceptor {
        Verdict inspect(Endpoint from, Endpoint to, byte[] buf, int off, int len);
    }

    private final int inboxCapacity;
    // guarded by this
    private Transport[] bound = new Transport[0];
    private int dropNext;
    private int duplicateNext;
    private int reorderNext;
    private double lossRate;
    private Random lossRandom;
    private Interceptor interceptor;
    private PacketSlot held;
    private Transport heldFor;
    private long lost;
    private final Endpoint scratchFrom = new Endpoint();
    private final Endpoint scratchTo = new Endpoint();

    public MemoryNetwork() {
        this(MemoryTun.DEFAULT_CAPACITY);
    }

    /** @param inboxCapacity datagrams each transport buffers before dropping */
    public MemoryNetwork(int inboxCapacity) {
        this.inboxCapacity = inboxCapacity;
    }

    /** A new, unbound transport with host address {@code address} (e.g. {@code "192.0.2.1"} or {@code "fd00::1"}). */
    public Transport newTransport(String address) {
        return new Transport(IpPrefix.parseAddress(address));
    }

    /** The next {@code n} datagrams sent anywhere are lost. */
    public synchronized void dropNext(int n) {
        dropNext += n;
    }

    /** The next {@code n} datagrams are delivered twice. */
    public synchronized void duplicateNext(int n) {
        duplicateNext += n;
    }

    /** The next datagram is held back and delivered after the one following it. */
    public synchronized void reorderNext() {
        reorderNext++;
    }

    /** Loses each datagram with probability {@code p}, reproducibly from {@code seed}; 0 turns it off. */
    public synchronized void setLossRate(double p, long seed) {
        lossRate = p;
        lossRandom = new Random(seed);
    }

    /** Installs a custom fault policy, consulted after the counters above; null removes it. */
    public synchronized void setInterceptor(Interceptor interceptor) {
        this.interceptor = interceptor;
    }

    /** Datagrams lost on purpose or for want of a receiver. */
    public synchronized long lost() {
        return lost;
    }

    private synchronized void deliver(Transport sender, byte[] buf, int off, int len, Endpoint to) {
        Transport target = find(to.addressBytes(), to.addressLength(), to.port());
        Verdict v = verdict(sender, buf, off, len, to);
        if (target == null || v == Verdict.DROP) {
            lost++;
            return;
        }
        if (v == Verdict.DELAY && held == null) {
            held = new PacketSlot();
            fillSlot(held, sender, buf, off, len, target);
            heldFor = target;
            return;
        }
        enqueue(target, sender, buf, off, len);
        if (v == Verdict.DUPLICATE) {
            enqueue(target, sender, buf, off, len);
        }
        if (held != null) {
            PacketSlot s = heldFor.inbox.claim();
            if (s != null) {
                s.copyFrom(held);
                heldFor.inbox.offer(s);
            }
            held = null;
            heldFor = null;
        }
    }

    private Verdict verdict(Transport sender, byte[] buf, int off, int len, Endpoint to) {
        if (dropNext > 0) {
            dropNext--;
            return Verdict.DROP;
        }
        if (duplicateNext > 0) {
            duplicateNext--;
            return Verdict.DUPLICATE;
        }
        if (reorderNext > 0) {
            reorderNext--;
            return Verdict.DELAY;
        }
        if (lossRate > 0 && lossRandom.nextDouble() < lossRate) {
            return Verdict.DROP;
        }
        if (interceptor != null) {
            scratchFrom.set(sender.address, 0, sender.address.length, sender.port);
            scratchTo.copyFrom(to);
            return interceptor.inspect(scratchFrom, scratchTo, buf, off, len);
        }
        return Verdict.DELIVER;
    }

    private void enqueue(Transport target, Transport sender, byte[] buf, int off, int len) {
        PacketSlot s = target.inbox.claim();
        if (s != null) {
            fillSlot(s, sender, buf, off, len, target);
            target.inbox.offer(s);
        }
    }

    private static void fillSlot(PacketSlot s, Transport sender, byte[] buf, int off, int len, Transport target) {
        s.fill(buf, off, len);
        System.arraycopy(sender.address, 0, s.srcAddr, 0, sender.address.length);
        s.srcAddrLen = sender.address.length;
        s.srcPort = sender.port;
        System.arraycopy(target.address, 0, s.dstAddr, 0, target.address.length);
        s.dstAddrLen = target.address.length;
    }

    private Transport find(byte[] addr, int addrLen, int port) {
        for (Transport t : bound) {
            if (t.port == port
                    && t.address.length == addrLen
                    && Arrays.equals(t.address, 0, addrLen, addr, 0, addrLen)) {
                return t;
            }
        }
        return null;
    }

    private synchronized int bind(Transport t, byte[] address, int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IOException("port out of range: " + port);
        }
        if (port == 0) {
            port = freePort(address);
        } else {
            Transport other = find(address, address.length, port);
            if (other != null && other != t) {
                throw new IOException("address in use: " + IpPrefix.formatAddress(address) + ":" + port);
            }
        }
        unbind(t);
        t.address = address;
        t.port = port;
        Transport[] next = Arrays.copyOf(bound, bound.length + 1);
        next[bound.length] = t;
        bound = next;
        return port;
    }

    private int freePort(byte[] address) {
        for (int p = 49152; p <= 65535; p++) {
            if (find(address, address.length, p) == null) {
                return p;
            }
        }
        throw new IllegalStateException("no free port");
    }

    private synchronized void unbind(Transport t) {
        int i = Arrays.asList(bound).indexOf(t);
        if (i >= 0) {
            Transport[] next = new Transport[bound.length - 1];
            System.arraycopy(bound, 0, next, 0, i);
            System.arraycopy(bound, i + 1, next, i, bound.length - i - 1);
            bound = next;
        }
    }

    /** One host's socket on the simulated network. */
    public final class Transport implements UdpTransport {
        // written under the network's lock; read by this transport's users
        private volatile byte[] address;
        private volatile int port;
        private final PacketQueue inbox = new PacketQueue(inboxCapacity);

        private Transport(byte[] address) {
            this.address = address;
        }

        @Override
        public int bind(int port) throws IOException {
            ensureOpen();
            // The inbox stays with the transport, so blocked receivers carry on (UdpTransport contract).
            return MemoryNetwork.this.bind(this, address, port);
        }

        /**
         * Moves this host to {@code newAddress} keeping its port (roaming); datagrams then come from, and are
         * received at, the new address only.
         */
        public void roam(String newAddress) throws IOException {
            ensureOpen();
            byte[] a = IpPrefix.parseAddress(newAddress);
            synchronized (MemoryNetwork.this) {
                if (port == 0) {
                    address = a;
                } else {
                    MemoryNetwork.this.bind(this, a, port);
                }
            }
        }

        /** This host's address as text. */
        public String address() {
            return IpPrefix.formatAddress(address);
        }

        /** An {@link Endpoint} that reaches this transport, for configuring the other side. */
        public Endpoint endpoint() {
            Endpoint e = new Endpoint();
            e.setAddress(address.clone(), port);
            return e;
        }

        @Override
        public int localPort() {
            return port;
        }

        @Override
        public void setFwmark(int mark) {
            // Meaningless on the simulated network.
        }

        @Override
        public int receive(byte[] buf, int off, int len, Endpoint from) throws IOException {
            PacketSlot s = inbox.take();
            if (s == null) {
                return -1;
            }
            try {
                int n = Math.min(len, s.length); // UDP truncates a datagram that does not fit
                System.arraycopy(s.data, 0, buf, off, n);
                from.set(s.srcAddr, 0, s.srcAddrLen, s.srcPort);
                from.setSource(s.dstAddr, 0, s.dstAddrLen, 1);
                return n;
            } finally {
                inbox.recycle(s);
            }
        }

        /** As recvmmsg on a Linux socket: blocks for the first datagram, then takes what else is queued now. */
        @Override
        public int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
            PacketSlot s = inbox.take();
            if (s == null) {
                return -1;
            }
            try {
                fill(bufs[0], from[0], s);
            } finally {
                inbox.recycle(s);
            }
            return pollInto(bufs, from, 1, count);
        }

        /** Copies datagram {@code s} to {@code b} at 0 (grown if the datagram needs more room) and its source. */
        private static void fill(PacketBuffer b, Endpoint from, PacketSlot s) {
            b.reserve(s.length);
            System.arraycopy(s.data, 0, b.data, 0, s.length);
            b.offset = 0;
            b.length = s.length;
            from.set(s.srcAddr, 0, s.srcAddrLen, s.srcPort);
            from.setSource(s.dstAddr, 0, s.dstAddrLen, 1);
        }

        /** The datagrams queued now; 0 when none is. */
        @Override
        public int receiveBatchNow(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
            return pollInto(bufs, from, 0, count);
        }

        /** Fills {@code bufs[start..count)} with what is queued now; returns the index after the last one filled. */
        private int pollInto(PacketBuffer[] bufs, Endpoint[] from, int start, int count) throws IOException {
            int i = start;
            while (i < count) {
                PacketSlot s;
                try {
                    s = inbox.poll(0, java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while receiving");
                }
                if (s == null) {
                    break; // nothing queued, or closed: the next blocking receive reports that
                }
                try {
                    fill(bufs[i], from[i], s);
                    i++;
                } finally {
                    inbox.recycle(s);
                }
            }
            return i;
        }

        @Override
        public void send(byte[] buf, int off, int len, Endpoint to) throws IOException {
            ensureOpen();
            if (port == 0) {
                throw new IOException("transport is not bound");
            }
            if (len > 65507) {
                throw new IOException("datagram too large: " + len);
            }
            deliver(this, buf, off, len, to);
        }

        /** Datagrams dropped because this transport's inbox was full. */
        public long droppedOnReceive() {
            return inbox.dropped();
        }

        private void ensureOpen() throws IOException {
            if (inbox.isClosed()) {
                throw new IOException("transport is closed");
            }
        }

        @Override
        public void close() {
            unbind(this);
            port = 0;
            inbox.close();
        }
    }
}
