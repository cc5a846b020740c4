/**
 * Per-session state after the handshake (whitepaper §5.4.5–§5.4.6, §6): {@link dev.wgmesh.dataplane.session.Keypair},
 * the per-peer {@link dev.wgmesh.dataplane.session.Keypairs} rotation, the device-wide
 * {@link dev.wgmesh.dataplane.session.IndexTable} and the receive {@link dev.wgmesh.dataplane.session.ReplayFilter}.
 * Spec constants come from {@link dev.wgmesh.dataplane.message.WireGuardSpec}.
 */
package dev.wgmesh.dataplane.session;
