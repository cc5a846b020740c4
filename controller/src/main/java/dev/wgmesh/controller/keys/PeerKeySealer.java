package dev.wgmesh.controller.keys;

import java.util.UUID;
import org.springframework.stereotype.Service;

/** Seals and opens a DEVICE peer's private key, bound to that peer's id. */
@Service
public class PeerKeySealer {
    private final SecretCipher cipher;

    public PeerKeySealer(SecretCipher cipher) {
        this.cipher = cipher;
    }

    public String seal(UUID peerId, WireGuardSecret privateKey) {
        return cipher.seal(privateKey, context(peerId));
    }

    public WireGuardSecret open(UUID peerId, String sealed) {
        return cipher.openKey(sealed, context(peerId));
    }

    private static String context(UUID peerId) {
        return "peer-private-key:" + peerId;
    }
}
