package dev.wgmesh.dataplane.noise;

import dev.wgmesh.dataplane.crypto.Blake2s;
import dev.wgmesh.dataplane.message.WireGuardSpec;

/** The Noise_IKpsk2 starting values (whitepaper §5.4.1), computed once. */
final class NoiseConstants {
    /** C0 = HASH(CONSTRUCTION) = 60e26dae...cd36. */
    static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(WireGuardSpec.CONSTRUCTION);
    /** H0 = HASH(C0 ‖ IDENTIFIER) = 2211b361...9ef3. */
    static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, WireGuardSpec.IDENTIFIER);

    private NoiseConstants() {}

    static byte[] initialChainKey() {
        return INITIAL_CHAIN_KEY.clone();
    }

    /** HASH(H0 ‖ responder static public): the first mix of every handshake, precomputable per responder key. */
    static byte[] initialHash(byte[] responderStatic) {
        return Blake2s.hash(INITIAL_HASH, responderStatic);
    }
}
