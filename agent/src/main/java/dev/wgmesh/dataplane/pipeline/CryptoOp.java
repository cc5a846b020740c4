package dev.wgmesh.dataplane.pipeline;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * The per-packet crypto work a worker applies, in place (the device plugs in ChaCha20-Poly1305 sealing: header in
 * the headroom, tag in the tailroom; tests plug in delays). One instance per worker, so it may keep a cipher.
 */
@FunctionalInterface
public interface CryptoOp {
    /**
     * Transforms the packet in place; may move {@code b.offset} into the headroom.
     *
     * @return the packet's new length, or a negative value to drop it (the pipeline counts and releases it; a
     *     runtime exception is treated the same way)
     */
    int apply(PacketBuffer b);
}
