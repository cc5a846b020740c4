package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.pipeline.Sink;
import dev.wgmesh.dataplane.session.Keypair;
import java.io.IOException;

/**
 * The stage after crypto in {@link DataPathMode#PARALLEL}: one peer's batch at a time, in the order the dispatcher
 * submitted it (calls for one peer are serialised by its lane; different peers run on different workers).
 *
 * <ul>
 *   <li>Transmit: each message goes to the peer's current endpoint; the send timer hooks run once per batch, and
 *       a rekey starts when the keypair is due (§6.2), as {@code Peer.flushStaged} does inline.
 *   <li>Receive: the replay filter (single-threaded per keypair: the lane serialises it), then exactly what the
 *       inline {@link ReceivePath} does after a successful open — roaming, promotion, timers, cryptokey routing,
 *       TUN write.
 * </ul>
 */
final class TransportSink implements Sink {
    private static final int HEADER = WireGuardSpec.TRANSPORT_HEADER_SIZE;

    private final Device device;

    TransportSink(Device device) {
        this.device = device;
    }

    @Override
    public void send(Object owner, PacketBuffer[] packets, int count) {
        Peer peer = (Peer) owner;
        try {
            if (packets[0].owner instanceof IndexEntry) { // receive; transmit packets name their lane
                receive(peer, packets, count);
            } else {
                transmit(peer, packets, count);
            }
        } finally {
            for (int i = 0; i < count; i++) {
                packets[i].release();
            }
        }
    }

    private void transmit(Peer peer, PacketBuffer[] packets, int count) {
        Endpoint ep = peer.endpoint();
        if (ep == null) {
            device.counters().drop(DropReason.NO_ENDPOINT, count);
            return;
        }
        long bytes = 0;
        boolean data = false;
        // Timers before the sends, as wireguard-go does: a reply handled before send returns must not have its
        // keepalive cancelled by a late "sent" hook.
        peer.timers.onAnyAuthenticatedPacketTraversal();
        peer.timers.onAnyAuthenticatedPacketSent();
        for (int i = 0; i < count; i++) {
            PacketBuffer b = packets[i];
            try {
                device.udp().send(b.data, b.offset, b.length, ep);
                bytes += b.length;
                data |= b.tag > 0;
            } catch (IOException e) {
                device.counters().drop(DropReason.IO_ERROR);
            }
        }
        if (bytes > 0) {
            peer.sent(bytes);
            if (data) {
                peer.timers.onDataSent();
            }
        }
        if (peer.timers.shouldRekeyOnSend(peer.keypairs.current())) {
            peer.sendHandshakeInitiation(false);
        }
    }

    private void receive(Peer peer, PacketBuffer[] packets, int count) {
        for (int i = 0; i < count; i++) {
            PacketBuffer b = packets[i];
            IndexEntry entry = (IndexEntry) b.owner;
            Keypair kp = entry.keypair();
            if (!kp.replayFilter().accept(b.counter)) {
                device.counters().drop(DropReason.REPLAY);
                continue;
            }
            int wire = (int) (b.tag >>> 32);
            device.receivePath().authenticated(peer, kp, wire, (Endpoint) b.context);
            if (b.length == 0) {
                continue; // keepalive
            }
            peer.timers.onDataReceived();
            device.receivePath().deliver(peer, b.data, b.length);
        }
    }
}
