package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.cookie.CookieGenerator;
import dev.wgmesh.dataplane.cookie.HandshakeRateLimiter;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.CookieReplyMessage;
import dev.wgmesh.dataplane.message.Limits;
import dev.wgmesh.dataplane.message.MessageType;
import dev.wgmesh.dataplane.message.ResponseMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.noise.Handshake;
import dev.wgmesh.dataplane.noise.LocalIdentity;
import dev.wgmesh.dataplane.noise.SessionKeys;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Processes handshake messages and cookie replies on one thread (wireguard-go {@code RoutineHandshake}), so the
 * expensive Curve25519 work never stalls the data path.
 *
 * <ol>
 *   <li>cookie reply: find the handshake by receiver index and store the cookie for the next mac2;
 *   <li>initiation/response: mac1 must be valid (cheap, rejects most junk); under load — queue deeper than
 *       {@link Limits#UNDER_LOAD_QUEUE_DEPTH}, and for a second after — a message without a valid mac2 gets a
 *       cookie reply instead of an answer, and sources are rate limited (whitepaper §5.3);
 *   <li>initiation: authenticate, update the endpoint, answer with a response and install the new keypair as
 *       "next"; response: authenticate, install the keypair as "current", send a keepalive to confirm it.
 * </ol>
 *
 * Allocates per handshake message (copies of the source endpoint, message buffers): handshakes are rare and rate
 * limited, and keeping this simple keeps it auditable.
 */
final class HandshakeWorker implements Runnable {
    private static final System.Logger LOG = System.getLogger(HandshakeWorker.class.getName());

    private record Job(PacketBuffer buffer, Endpoint from) {}

    private final Device device;
    private final ArrayBlockingQueue<Job> queue = new ArrayBlockingQueue<>(Limits.HANDSHAKE_QUEUE_SIZE);
    private final HandshakeRateLimiter rateLimiter;
    private volatile boolean forceUnderLoad;
    /** Monotonic time until which we count as under load; only the worker thread writes it. */
    private long underLoadUntil;

    private boolean underLoadSet;
    /** The peer the last PeerLookup found (worker thread only). */
    private Peer lookedUp;

    HandshakeWorker(Device device) {
        this.device = device;
        this.rateLimiter = new HandshakeRateLimiter(device.clock()::nanoTime);
    }

    /** Called by the receive path; takes ownership of {@code b}. */
    void enqueue(PacketBuffer b, Endpoint from) {
        if (!queue.offer(new Job(b, from.copy()))) {
            device.counters().drop(DropReason.HANDSHAKE_RATE_LIMITED);
            b.release();
        }
    }

    /** Tests: behave as under load regardless of the queue depth. */
    void setForceUnderLoad(boolean on) {
        forceUnderLoad = on;
    }

    @Override
    public void run() {
        while (device.isRunning()) {
            Job job;
            try {
                job = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (job == null) {
                continue;
            }
            try {
                process(job.buffer().data, job.buffer().length, job.from());
            } catch (RuntimeException e) {
                // A bug must not kill the worker: drop the message, count it and say so loudly (no key material
                // reaches exception messages).
                device.counters().drop(DropReason.MALFORMED);
                LOG.log(System.Logger.Level.WARNING, "handshake message processing failed", e);
            } finally {
                job.buffer().release();
            }
        }
        Job left;
        while ((left = queue.poll()) != null) {
            left.buffer().release();
        }
    }

    private void process(byte[] data, int len, Endpoint from) {
        int type = MessageType.classify(data, 0, len);
        if (type == WireGuardSpec.TYPE_COOKIE_REPLY) {
            consumeCookieReply(data);
            return;
        }
        LocalIdentity identity = device.identity();
        CookieGenerator cookies = device.cookieGenerator();
        if (identity == null || cookies == null) {
            return; // no private key: we cannot answer anyone
        }
        if (!cookies.isMac1Valid(data, 0, len)) {
            device.counters().drop(DropReason.MAC1_INVALID);
            return;
        }
        if (isUnderLoad()) {
            if (!cookies.isMac2Valid(data, 0, len, from)) {
                sendCookieReply(cookies, data, len, from);
                return;
            }
            if (!rateLimiter.allow(from)) {
                device.counters().drop(DropReason.HANDSHAKE_RATE_LIMITED);
                return;
            }
        }
        if (type == WireGuardSpec.TYPE_INITIATION) {
            consumeInitiation(identity, data, len, from);
        } else {
            consumeResponse(data, len, from);
        }
    }

    private boolean isUnderLoad() {
        long now = device.clock().nanoTime();
        if (forceUnderLoad || queue.size() >= Limits.UNDER_LOAD_QUEUE_DEPTH) {
            underLoadUntil = now + Limits.UNDER_LOAD_AFTER_NANOS;
            underLoadSet = true;
            return true;
        }
        return underLoadSet && underLoadUntil - now > 0;
    }

    private void consumeCookieReply(byte[] data) {
        IndexEntry e = device.indices().lookup(CookieReplyMessage.receiver(data, 0));
        if (e == null || e.handshake() == null) {
            device.counters().drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        if (!e.peer().cookieChecker.consumeReply(data, 0)) {
            device.counters().drop(DropReason.HANDSHAKE_REJECTED);
        }
    }

    private void sendCookieReply(CookieGenerator cookies, byte[] data, int len, Endpoint from) {
        byte[] reply = new byte[CookieReplyMessage.SIZE];
        cookies.writeReply(data, 0, len, from, reply, 0);
        try {
            device.udp().send(reply, 0, reply.length, from);
            device.counters().cookieReplySent();
        } catch (IOException e) {
            device.counters().drop(DropReason.IO_ERROR);
        }
    }

    private void consumeInitiation(LocalIdentity identity, byte[] data, int len, Endpoint from) {
        long now = device.clock().nanoTime();
        lookedUp = null;
        Handshake hs = Handshake.consumeInitiation(identity, this::lookup, data, 0, now);
        Peer peer = lookedUp;
        if (hs == null || peer == null) {
            device.counters().drop(DropReason.HANDSHAKE_REJECTED);
            return;
        }
        authenticated(peer, len, from);
        byte[] msg = new byte[ResponseMessage.SIZE];
        if (hs.createResponse(msg, 0) == 0) {
            return;
        }
        peer.cookieChecker.addMacs(msg, 0, msg.length);
        SessionKeys keys = hs.deriveKeys(now);
        if (keys == null) {
            return;
        }
        peer.installSession(keys);
        peer.timers.onSessionDerived();
        peer.sendHandshakeMessage(msg, msg.length);
        device.handshakeCompleted(peer, false, 0);
    }

    private Handshake lookup(byte[] key, int off) {
        Peer p = device.peerByKey(key, off);
        lookedUp = p;
        return p == null ? null : p.handshake;
    }

    private void consumeResponse(byte[] data, int len, Endpoint from) {
        IndexEntry e = device.indices().lookup(ResponseMessage.receiver(data, 0));
        if (e == null || e.handshake() == null) {
            device.counters().drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        Peer peer = e.peer();
        if (!peer.handshake.consumeResponse(data, 0)) {
            device.counters().drop(DropReason.HANDSHAKE_REJECTED);
            return;
        }
        authenticated(peer, len, from);
        long now = device.clock().nanoTime();
        SessionKeys keys = peer.handshake.deriveKeys(now);
        if (keys == null) {
            return;
        }
        peer.installSession(keys);
        peer.timers.onSessionDerived();
        peer.timers.onHandshakeComplete();
        // The initiator confirms the session at once, with data if some is staged, else a keepalive (§6.5).
        peer.sendKeepalive();
        device.handshakeCompleted(peer, true, now - peer.initiationSentNanos());
    }

    private void authenticated(Peer peer, int len, Endpoint from) {
        peer.updateEndpoint(from);
        peer.received(len);
        peer.timers.onAnyAuthenticatedPacketTraversal();
        peer.timers.onAnyAuthenticatedPacketReceived();
    }
}
