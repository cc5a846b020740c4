/**
 * The transmit scheduler of the data plane: fair, low-latency queueing in front of crypto.
 *
 * <pre>
 *   TUN packet ─▶ {@link dev.wgmesh.dataplane.queue.FlowClassifier} (keyed 5-tuple hash)
 *              ─▶ {@link dev.wgmesh.dataplane.queue.PeerScheduler#enqueue} ─▶ {@link dev.wgmesh.dataplane.queue.FqCodel}
 *                   (flows shared by all peers' tins; per tin new/old lists, DRR, {@link dev.wgmesh.dataplane.queue.Codel}
 *                    at dequeue with {@link dev.wgmesh.dataplane.queue.Ecn} marking; overflow drops from the fattest flow)
 *              ─▶ DRR across peers, counter assigned as the packet leaves
 *              ─▶ {@link dev.wgmesh.dataplane.queue.CryptoBudget} (bytes in flight to crypto)
 *              ─▶ dev.wgmesh.dataplane.pipeline (parallel crypto, per-peer order restored)
 * </pre>
 *
 * <p>Everything here runs on one scheduler thread (see each class's threading contract); only statistics are read
 * from other threads. Nothing allocates per packet.
 */
package dev.wgmesh.dataplane.queue;
