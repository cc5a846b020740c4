package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import java.io.IOException;

/**
 * The TUN reader: the whole send path on one thread for now (the fair multi-core pipeline is a later issue).
 *
 * <ol>
 *   <li>read one IP packet from the TUN into a pooled buffer at {@code HEADROOM} (room for the transport header);
 *   <li>cryptokey routing: the destination address picks the peer through the allowed-IPs trie (lock-free);
 *   <li>stage it on the peer; while the peer has a usable keypair, staged packets are padded, given the next
 *       counter, encrypted in place and sent by UDP ({@link Peer#flushStaged}); otherwise a handshake starts and
 *       the packets wait (up to {@code STAGED_PACKETS_PER_PEER}).
 * </ol>
 *
 * <p>In {@link DataPathMode#PARALLEL} step 3 becomes a hand-off: the packet is classified and queued for the peer's
 * FQ-CoDel tin ({@link ParallelDataPath#offerTx}); scheduling, counters and encryption happen there. In
 * {@link DataPathMode#HYBRID} only peers the {@link HybridChooser} measured as busy take the hand-off.
 *
 * <p>Steady state allocates nothing and takes no lock (the JCE's own per-packet garbage aside, see {@link
 * ChaChaPoly}).
 */
final class SendPath implements Runnable {
    private static final int MTU_REFRESH_PACKETS = 1024;

    private final Device device;
    private final ParallelDataPath parallel;
    /** Null unless {@link DataPathMode#HYBRID}: then it picks, per packet, parallel or inline for its peer. */
    private final HybridChooser hybrid;

    SendPath(Device device, ParallelDataPath parallel, HybridChooser hybrid) {
        this.device = device;
        this.parallel = parallel;
        this.hybrid = hybrid;
    }

    @Override
    public void run() {
        ChaChaPoly aead = new ChaChaPoly();
        byte[] scratch = new byte[device.pool().bufferSize()];
        int sinceMtu = 0;
        while (device.isRunning()) {
            PacketBuffer b = device.pool().acquire();
            int n;
            try {
                if (b == null) {
                    n = device.tun().read(scratch, 0, scratch.length);
                    if (n >= 0) {
                        device.counters().drop(DropReason.NO_BUFFER);
                        continue;
                    }
                    return;
                }
                n = device.tun().read(b.data, PacketBuffer.HEADROOM, Device.MAX_INNER_PACKET);
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
            b.length = n;
            route(b, aead);
            if (++sinceMtu >= MTU_REFRESH_PACKETS) {
                sinceMtu = 0;
                device.refreshMtu();
            }
        }
    }

    private void route(PacketBuffer b, ChaChaPoly aead) {
        int version = InnerPacket.version(b.data, b.offset, b.length);
        if (version == 0) {
            device.counters().drop(DropReason.INVALID_INNER);
            b.release();
            return;
        }
        Peer peer = device.allowedIps()
                .lookup(b.data, b.offset + InnerPacket.destinationOffset(version), InnerPacket.addressLength(version));
        if (peer == null) {
            device.counters().drop(DropReason.NO_ROUTE);
            b.release();
            return;
        }
        if (parallel != null && (hybrid == null || hybrid.parallel(peer, System.nanoTime()))) {
            parallel.offerTx(peer, b);
            return;
        }
        peer.stage(b);
        peer.flushStaged(aead);
    }
}
