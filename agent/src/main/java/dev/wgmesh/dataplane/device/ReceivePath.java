package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.MessageType;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.session.Keypair;
import java.io.IOException;

/**
 * The UDP receiver: the whole receive path on one thread for now.
 *
 * <ol>
 *   <li>receive one datagram into a pooled buffer and classify it (type, reserved bytes, exact size);
 *   <li>handshake messages and cookie replies go to the {@link HandshakeWorker} queue;
 *   <li>transport data: the receiver index names our keypair (lock-free index table), the packet is decrypted in
 *       place, then the replay window is checked — after decryption, so forged counters cannot move it;
 *   <li>authenticated: the endpoint follows the source (roaming), a responder's next keypair is promoted on its first
 *       packet, timer hooks run; a keepalive ends here;
 *   <li>the inner packet is trimmed to its IP length and its source must be in the peer's allowed IPs (cryptokey
 *       routing, whitepaper §2); then it goes to the TUN.
 * </ol>
 *
 * Every drop is counted by reason ({@link DropReason}); nothing is logged per packet.
 *
 * <p>In {@link DataPathMode#PARALLEL} steps 3–5 move: after the index and key checks the datagram is handed to
 * {@link ParallelDataPath} (decryption on the crypto workers) and {@link TransportSink} runs the replay check, then
 * {@link #authenticated} and {@link #deliver}, serialised per peer and in arrival order.
 */
final class ReceivePath implements Runnable {
    private static final int HEADER = WireGuardSpec.TRANSPORT_HEADER_SIZE;

    private final Device device;
    private final ParallelDataPath parallel;

    ReceivePath(Device device, ParallelDataPath parallel) {
        this.device = device;
        this.parallel = parallel;
    }

    @Override
    public void run() {
        ChaChaPoly aead = new ChaChaPoly();
        Endpoint from = new Endpoint();
        byte[] scratch = new byte[device.pool().bufferSize()];
        while (device.isRunning()) {
            PacketBuffer b = device.pool().acquire();
            int n;
            try {
                if (b == null) {
                    n = device.udp().receive(scratch, 0, scratch.length, from);
                    if (n >= 0) {
                        device.counters().drop(DropReason.NO_BUFFER);
                        continue;
                    }
                    return;
                }
                n = device.udp().receive(b.data, 0, b.data.length, from);
            } catch (IOException e) {
                if (b != null) {
                    b.release();
                }
                if (!device.isRunning()) {
                    return;
                }
                device.counters().drop(DropReason.IO_ERROR);
                continue;
            }
            if (n < 0) {
                b.release();
                return;
            }
            dispatch(b, n, from, aead);
        }
    }

    private void dispatch(PacketBuffer b, int n, Endpoint from, ChaChaPoly aead) {
        int type = MessageType.classify(b.data, 0, n);
        if (type == WireGuardSpec.TYPE_TRANSPORT && parallel != null) {
            handOff(b, n, from);
        } else if (type == WireGuardSpec.TYPE_TRANSPORT) {
            try {
                receiveTransport(b.data, n, from, aead);
            } finally {
                b.release();
            }
        } else if (type != 0) {
            b.offset = 0;
            b.length = n;
            device.handshakeWorker().enqueue(b, from);
        } else {
            device.counters().drop(DropReason.MALFORMED);
            b.release();
        }
    }

    /** Parallel mode: the receiver's share of a transport message — index and key checks — then the hand-off. */
    private void handOff(PacketBuffer b, int n, Endpoint from) {
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
        parallel.offerRx(b);
    }

    private void receiveTransport(byte[] data, int n, Endpoint from, ChaChaPoly aead) {
        IndexEntry entry = device.indices().lookup(TransportMessage.receiver(data, 0));
        Keypair kp = entry == null ? null : entry.keypair();
        if (kp == null) {
            device.counters().drop(DropReason.UNKNOWN_INDEX);
            return;
        }
        Peer peer = entry.peer();
        if (kp.isWiped() || kp.isExpired(device.clock().nanoTime())) {
            device.counters().drop(DropReason.KEY_EXPIRED);
            return;
        }
        long counter = TransportMessage.counter(data, 0);
        int plen;
        try {
            plen = aead.open(kp.receiveKey(), counter, data, HEADER, n - HEADER);
        } catch (IllegalStateException destroyed) {
            device.counters().drop(DropReason.KEY_EXPIRED);
            return;
        }
        if (plen < 0) {
            device.counters().drop(DropReason.AUTH_FAILURE);
            return;
        }
        if (!kp.replayFilter().accept(counter)) {
            device.counters().drop(DropReason.REPLAY);
            return;
        }
        authenticated(peer, kp, n, from);
        if (plen == 0) {
            return; // keepalive
        }
        peer.timers.onDataReceived();
        deliver(peer, data, plen);
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

    /** Cryptokey routing on the plaintext at {@code data[HEADER..HEADER+plen)}, then the TUN write. */
    void deliver(Peer peer, byte[] data, int plen) {
        int version = InnerPacket.version(data, HEADER, plen);
        if (version == 0) {
            device.counters().drop(DropReason.INVALID_INNER);
            return;
        }
        int len = InnerPacket.claimedLength(data, HEADER, version);
        if (len > plen || len < (version == 4 ? InnerPacket.V4_HEADER : InnerPacket.V6_HEADER)) {
            device.counters().drop(DropReason.INVALID_INNER);
            return;
        }
        Peer owner = device.allowedIps()
                .lookup(data, HEADER + InnerPacket.sourceOffset(version), InnerPacket.addressLength(version));
        if (owner != peer) {
            device.counters().drop(DropReason.SOURCE_NOT_ALLOWED);
            return;
        }
        try {
            device.tun().write(data, HEADER, len);
        } catch (IOException e) {
            device.counters().drop(DropReason.IO_ERROR);
        }
    }
}
