package dev.wgmesh.agent.enrol;

import dev.wgmesh.agent.StateDir;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The agent's X25519 key pair. The private key is generated on the host, kept in {@code wireguard.key} (base64, as
 * wg(8) writes it, mode 0600) and never leaves it; only the public key is sent to the controller.
 */
public final class WireGuardKey {
    public static final String FILE = "wireguard.key";

    private WireGuardKey() {}

    /** The private key from the state directory, generating and storing one on first use. */
    public static byte[] loadOrCreate(StateDir state) throws IOException {
        Optional<byte[]> text = state.read(FILE);
        if (text.isPresent()) {
            try {
                byte[] key = Keys.fromBase64(new String(text.get(), StandardCharsets.US_ASCII).trim());
                if (key.length != Keys.KEY_LEN || Keys.isZero(key)) {
                    throw new IllegalArgumentException("wrong length");
                }
                return key;
            } catch (IllegalArgumentException ex) {
                throw new IOException(state.path().resolve(FILE) + " does not hold a base64 X25519 private key");
            }
        }
        byte[] key = Keys.generatePrivateKey();
        state.write(FILE, (Keys.toBase64(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        return key;
    }

    public static byte[] publicKey(byte[] privateKey) {
        return X25519.publicKey(privateKey);
    }
}
