package dev.wgmesh.dataplane.io;

import java.util.List;

/**
 * A TUN with several queues (Linux {@code IFF_MULTI_QUEUE}): the kernel keeps each flow on one queue, so one worker
 * per queue sees whole flows. As a {@link TunDevice} it reads from every queue in turn (one reader thread) and writes
 * on its first queue; closing it closes every queue.
 */
public interface MultiQueueTun extends TunDevice {

    /** The queues, each a {@link TunDevice} for one reader and any writers. */
    List<? extends TunDevice> queues();

    /**
     * Called on the worker thread of queue {@code queue} before it starts: pins it to a CPU of its own where the
     * platform can (Linux: CPU {@code queue} modulo the CPUs this process may use). Best effort.
     */
    default void pinWorker(int queue) {}
}
