/**
 * Parallel crypto for the transmit path: {@link dev.wgmesh.dataplane.pipeline.CryptoDispatcher} (scheduler thread)
 * feeds {@link dev.wgmesh.dataplane.pipeline.OrderedCryptoPipeline}, whose workers (and the dispatcher, when it
 * helps with queued batches) apply a pluggable
 * {@link dev.wgmesh.dataplane.pipeline.CryptoOp} to batches and restore each peer's order in its
 * {@link dev.wgmesh.dataplane.pipeline.PeerLane} before the {@link dev.wgmesh.dataplane.pipeline.Sink}.
 */
package dev.wgmesh.dataplane.pipeline;
