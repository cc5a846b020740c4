package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.pipeline.Sink;
import dev.wgmesh.dataplane.session.Keypair;
import java.util.Arrays;

/**
 * The stage after crypto in {@link DataPathMode#PARALLEL}: one peer's batch at a time, in the order the dispatcher
 * submitted it (calls for one peer are serialised by its lane; different peers run on different workers).
 *
 * <ul>
 *   <li>Transmit: the batch goes to the peer's current endpoint in one {@link
 *       dev.wgmesh.dataplane.io.UdpTransport#sendBatch} (sendmmsg, UDP GSO runs); the send timer hooks run once per
 *       batch, and a rekey starts when the keypair is due (§6.2), as {@code Peer.flushStaged} does inline.
 *   <li>Receive: the replay filter (single-threaded per keypair: the lane serialises it), then exactly what the
 *       inline {@link ReceivePath} does after a successful open — roaming, promotion, timers, cryptokey routing —
 *       and one {@link dev.wgmesh.dataplane.io.TunDevice#writeBatch} for the batch, so with offloads a flow's
 *       segments reach the host merged into super-packets, as they do inline.
 * </ul>
 *
 * <p>Why batches: sending and writing packet by packet cost a system call each, and the host's TCP then handled
 * every 1,420-byte segment on its own; parallel mode moved about a fifth of the inline path's one-stream TCP.
 *
 * <p>Per-thread state: the arrays a batch is gathered in belong to the calling crypto thread ({@link ThreadLocal},
 * looked up once per batch, made once per thread).
 */
final class TransportSink implements Sink {
    private static final int HEADER = WireGuardSpec.TRANSPORT_HEADER_SIZE;

    private final Device device;
    /** Per crypto thread: each message's endpoint for {@code sendBatch}, and the packets to write to the TUN. */
    private final ThreadLocal<Gather> gather = ThreadLocal.withInitial(Gather::new);

    TransportSink(Device device) {
        this.device = device;
    }

    /** A crypto thread's arrays for one batch; grown (rarely) to the largest batch seen. */
    private static final class Gather {
        Endpoint[] to = new Endpoint[64];
        PacketBuffer[] toTun = new PacketBuffer[64];

        void fit(int count) {
            if (to.length < count) {
                to = new Endpoint[count];
                toTun = new PacketBuffer[count];
            }
        }
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
        Gather g = gather.get();
        g.fit(count);
        Endpoint[] to = g.to;
        for (int i = 0; i < count; i++) {
            PacketBuffer b = packets[i];
            to[i] = ep;
            bytes += b.length;
            data |= b.tag > 0;
        }
        int failed = device.udp().sendBatch(packets, to, count);
        Arrays.fill(to, 0, count, null);
        if (failed > 0) {
            device.counters().drop(DropReason.IO_ERROR, failed);
            // Which ones failed is not reported: a partly failed batch still counts all its bytes, one that failed
            // entirely counts none (and does not count as data sent for the timers).
            if (failed >= count) {
                bytes = 0;
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
        Gather g = gather.get();
        g.fit(count);
        PacketBuffer[] toTun = g.toTun;
        int n = 0;
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
            int len = device.receivePath().deliverable(peer, b.data, b.length);
            if (len > 0) {
                b.offset = HEADER;
                b.length = len;
                toTun[n++] = b; // still released by send(), after the write
            }
        }
        if (n > 0) {
            int failed = device.tun().writeBatch(toTun, n);
            if (failed > 0) {
                device.counters().drop(DropReason.IO_ERROR, failed);
            }
            Arrays.fill(toTun, 0, n, null);
        }
    }
}
