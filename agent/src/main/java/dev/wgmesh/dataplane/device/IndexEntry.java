package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.noise.Handshake;
import dev.wgmesh.dataplane.session.Keypair;

/**
 * What one of our session indices names (wireguard-go {@code IndexTableEntry}): first the peer's handshake in
 * progress, then, once keys are derived, the keypair it became. Immutable; the table entry is replaced.
 */
record IndexEntry(Peer peer, Handshake handshake, Keypair keypair) {}
