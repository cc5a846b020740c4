/**
 * The Noise_IKpsk2 handshake as WireGuard runs it (whitepaper §5.4.1–§5.4.5): one
 * {@link dev.wgmesh.dataplane.noise.Handshake} per peer, moving through
 * {@link dev.wgmesh.dataplane.noise.HandshakeState}s, producing {@link dev.wgmesh.dataplane.noise.SessionKeys}.
 * Indices come from an {@link dev.wgmesh.dataplane.noise.IndexAllocator}; peers are found through a
 * {@link dev.wgmesh.dataplane.noise.PeerLookup}, so this package knows nothing of devices.
 */
package dev.wgmesh.dataplane.noise;
