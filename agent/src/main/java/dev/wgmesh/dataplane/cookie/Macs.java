package dev.wgmesh.dataplane.cookie;

import dev.wgmesh.dataplane.crypto.Blake2s;
import dev.wgmesh.dataplane.message.InitiationMessage;
import dev.wgmesh.dataplane.message.ResponseMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;

/**
 * Where mac1 and mac2 sit in the two handshake messages (whitepaper §5.4.4):
 *
 * <pre>
 *   mac1 = MAC(HASH("mac1----" ‖ S_pub_receiver), msg[0 .. mac1))
 *   mac2 = MAC(cookie,                            msg[0 .. mac2))      or 16 zero bytes without a cookie
 * </pre>
 */
final class Macs {
    static final int LEN = Blake2s.MAC_LEN;

    private Macs() {}

    /** Offset of mac1 for a message of {@code size} bytes (148 or 92). */
    static int mac1Offset(int size) {
        return switch (size) {
            case WireGuardSpec.INITIATION_SIZE -> InitiationMessage.MAC1;
            case WireGuardSpec.RESPONSE_SIZE -> ResponseMessage.MAC1;
            default -> throw new IllegalArgumentException("not a handshake message size: " + size);
        };
    }

    static int mac2Offset(int size) {
        return mac1Offset(size) + LEN;
    }

    /** HASH(label ‖ public key): the mac1 key or the cookie encryption key for a given receiver. */
    static byte[] labelKey(byte[] label, byte[] publicKey) {
        return Blake2s.hash(label, publicKey);
    }
}
