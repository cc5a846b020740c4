package dev.wgmesh.dataplane.linux;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.offload.TcpSegmenter;
import dev.wgmesh.dataplane.offload.VirtioNetHdr;

/**
 * One reader thread's view of a TUN with {@code IFF_VNET_HDR}: the frame last read (virtio header + packet, read
 * straight into this heap array) and what is left of it to hand out. A plain frame yields one packet (its partial
 * checksum completed when the kernel left it to us); a TSO super-packet yields its segments one at a time
 * ({@link TcpSegmenter}), so a batch that runs out of buffers resumes with the next call.
 *
 * <pre>
 *   frame: [ virtio_net_hdr (10) | IP packet ... up to 65,535 ]
 * </pre>
 */
final class VnetReader {
    /** Room for the header and the largest IP packet. */
    static final int FRAME_SIZE = VirtioNetHdr.LEN + 65535 + 64;

    final byte[] frame = new byte[FRAME_SIZE];
    /** {@link #frame} as a heap segment, made once: reads go straight into it without allocating. */
    final java.lang.foreign.MemorySegment frameSegment = java.lang.foreign.MemorySegment.ofArray(frame);

    private final TcpSegmenter segmenter = new TcpSegmenter();
    private int singleLen = -1;
    private long dropped;

    /**
     * Takes a frame of {@code frameLen} bytes just read into {@link #frame}.
     *
     * @return how many packets it yields (0 when it was malformed or of a kind we did not ask for, and dropped)
     */
    int accept(int frameLen) {
        singleLen = -1;
        int pktLen = frameLen - VirtioNetHdr.LEN;
        if (pktLen <= 0) {
            dropped++;
            return 0;
        }
        int type = VirtioNetHdr.gsoType(frame, 0) & ~VirtioNetHdr.GSO_ECN;
        if (type == VirtioNetHdr.GSO_NONE) {
            if ((VirtioNetHdr.flags(frame, 0) & VirtioNetHdr.F_NEEDS_CSUM) != 0
                    && !TcpSegmenter.completeChecksum(
                            frame,
                            VirtioNetHdr.LEN,
                            pktLen,
                            VirtioNetHdr.csumStart(frame, 0),
                            VirtioNetHdr.csumOffset(frame, 0))) {
                dropped++;
                return 0;
            }
            singleLen = pktLen;
            return 1;
        }
        int n = segmenter.start(frame, 0, frameLen);
        if (n < 0) {
            dropped++;
            return 0;
        }
        return n;
    }

    boolean hasPending() {
        return singleLen >= 0 || segmenter.hasNext();
    }

    /** The length of the packet {@link #take} hands out next (0 when none is pending). */
    int nextLength() {
        return singleLen >= 0 ? singleLen : segmenter.hasNext() ? segmenter.nextLength() : 0;
    }

    /**
     * The next packet into {@code b} at its offset, the buffer grown first if the packet needs more room ({@link
     * PacketBuffer#reserve}).
     *
     * @return its length, or -1 when it is longer than {@code maxLen} (it is dropped; call again for the next)
     */
    int take(PacketBuffer b, int maxLen) {
        int next = nextLength();
        if (next <= maxLen) {
            b.reserve(b.offset + next + PacketBuffer.TAILROOM);
        }
        return take(b.data, b.offset, maxLen);
    }

    /**
     * Writes the next packet at {@code dst[off..]}.
     *
     * @return its length, or -1 when it is longer than {@code maxLen} (it is dropped; call again for the next)
     */
    int take(byte[] dst, int off, int maxLen) {
        if (singleLen >= 0) {
            int n = singleLen;
            singleLen = -1;
            if (n > maxLen) {
                dropped++;
                return -1;
            }
            System.arraycopy(frame, VirtioNetHdr.LEN, dst, off, n);
            return n;
        }
        if (segmenter.nextLength() > maxLen) {
            dropped += segmenter.remaining();
            segmenter.start(frame, 0, 0); // abandons the frame
            return -1;
        }
        return segmenter.nextSegment(dst, off);
    }

    /** Frames or segments dropped by this reader (malformed, or larger than the caller's buffers). */
    long dropped() {
        return dropped;
    }
}
