package dev.wgmesh.dataplane.noise;

/**
 * Where a peer's handshake stands (whitepaper §5.4; the same states as wireguard-go's {@code handshakeState}).
 *
 * <pre>
 *   initiator:  ZEROED ─createInitiation→ INITIATION_CREATED ─consumeResponse→ RESPONSE_CONSUMED ─deriveKeys→ ZEROED
 *   responder:  ZEROED ─consumeInitiation→ INITIATION_CONSUMED ─createResponse→ RESPONSE_CREATED ─deriveKeys→ ZEROED
 * </pre>
 *
 * A new initiation may be created, or consumed, from any state: it restarts the handshake.
 */
public enum HandshakeState {
    ZEROED,
    INITIATION_CREATED,
    INITIATION_CONSUMED,
    RESPONSE_CREATED,
    RESPONSE_CONSUMED;

    /** Only the initiation we sent last can be answered (§5.4.3). */
    boolean canConsumeResponse() {
        return this == INITIATION_CREATED;
    }

    /** A response answers the initiation we consumed last. */
    boolean canCreateResponse() {
        return this == INITIATION_CONSUMED;
    }

    /** Keys exist once both handshake messages went through (§5.4.5). */
    boolean canDeriveKeys() {
        return this == RESPONSE_CREATED || this == RESPONSE_CONSUMED;
    }

    /** The side that derived the keys from this state is the initiator. */
    boolean isInitiatorSide() {
        return this == RESPONSE_CONSUMED;
    }
}
