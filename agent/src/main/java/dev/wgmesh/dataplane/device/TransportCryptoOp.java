package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.message.TransportMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.pipeline.CryptoOp;
import dev.wgmesh.dataplane.session.Keypair;
import java.util.Arrays;

/**
 * One crypto worker's transport-data work, in place (whitepaper §5.4.6), with the worker's own cipher.
 *
 * <ul>
 *   <li>Transmit ({@code tag == 0}): the plaintext at {@code offset} is padded, the header written into the headroom
 *       with the counter the scheduler assigned ({@code b.counter}) under the keypair it noted ({@code b.context}),
 *       and sealed; the buffer then spans the whole transport message.
 *   <li>Receive ({@code tag == RX}): the message at {@code data[0..length)} is opened under the keypair of its
 *       {@link IndexEntry} ({@code b.owner}); the buffer then holds the plaintext at {@code HEADER}. The replay
 *       check comes later, in order ({@link TransportSink}).
 * </ul>
 *
 * A negative result drops the packet (the pipeline releases it); the reason is counted here.
 */
final class TransportCryptoOp implements CryptoOp {
    private static final int HEADER = WireGuardSpec.TRANSPORT_HEADER_SIZE;

    private final Device device;
    private final ChaChaPoly aead = new ChaChaPoly();

    TransportCryptoOp(Device device) {
        this.device = device;
    }

    @Override
    public int apply(PacketBuffer b) {
        return b.tag == ParallelDataPath.RX ? open(b) : seal(b);
    }

    private int seal(PacketBuffer b) {
        Keypair kp = (Keypair) b.context;
        byte[] data = b.data;
        int off = b.offset;
        int len = b.length;
        int padded = TransportMessage.paddedLength(len, device.mtu());
        if (off + padded + WireGuardSpec.AEAD_TAG_SIZE > data.length) {
            padded = len;
        }
        Arrays.fill(data, off + len, off + padded, (byte) 0);
        int header = off - HEADER;
        TransportMessage.writeHeader(data, header, kp.remoteIndex(), b.counter);
        try {
            aead.seal(kp.sendKey(), b.counter, data, off, padded);
        } catch (IllegalStateException destroyed) {
            device.counters().drop(DropReason.KEY_EXPIRED); // keypair wiped after the counter was taken
            return -1;
        }
        b.offset = header;
        b.tag = len; // the sink needs to know whether it carried data (a keepalive is empty)
        return HEADER + padded + WireGuardSpec.AEAD_TAG_SIZE;
    }

    private int open(PacketBuffer b) {
        return open(device, aead, b);
    }

    /**
     * Opens a received message prepared for the parallel path (owner its {@link IndexEntry}, counter set, the
     * message at {@code data[0..length)}) with {@code aead}, and records its wire size in {@code tag} for the sink.
     * Shared by the workers and the UDP receiver's express path when it opens for a lane's holder.
     *
     * @return the plaintext length at {@code HEADER}, or -1 (counted: key gone or authentication failed)
     */
    static int open(Device device, ChaChaPoly aead, PacketBuffer b) {
        Keypair kp = ((IndexEntry) b.owner).keypair();
        int plen;
        try {
            plen = aead.open(kp.receiveKey(), b.counter, b.data, HEADER, b.length - HEADER);
        } catch (IllegalStateException destroyed) {
            device.counters().drop(DropReason.KEY_EXPIRED);
            return -1;
        }
        if (plen < 0) {
            device.counters().drop(DropReason.AUTH_FAILURE);
            return -1;
        }
        b.tag = ParallelDataPath.RX | ((long) b.length << 32); // keep the wire size for the byte counters
        return plen;
    }
}
