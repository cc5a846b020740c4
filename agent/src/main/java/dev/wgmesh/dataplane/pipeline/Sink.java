package dev.wgmesh.dataplane.pipeline;

import dev.wgmesh.dataplane.buffer.PacketBuffer;

/**
 * The send stage after crypto. Called with one peer's packets in their original order; calls for one peer are
 * serialised (never concurrent, each seeing the previous one's effects), calls for different peers may run at the
 * same time on different worker threads. The sink takes ownership of the packets (sends and releases them) and
 * must not keep the array, which is reused. It must not throw: a throwing sink stops the worker that called it.
 */
@FunctionalInterface
public interface Sink {
    void send(Object peer, PacketBuffer[] packets, int count);
}
