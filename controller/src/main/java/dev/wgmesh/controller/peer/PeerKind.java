package dev.wgmesh.controller.peer;

/**
 * AGENT: runs the wgmesh agent, generates its own key pair, only its public key is ever stored here. DEVICE: a stock
 * WireGuard client configured by a downloaded wg-quick file; the controller generates its key pair unless the user
 * brings a public key.
 */
public enum PeerKind {
    AGENT,
    DEVICE
}
