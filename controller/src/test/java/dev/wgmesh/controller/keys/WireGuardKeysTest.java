package dev.wgmesh.controller.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WireGuardKeysTest {
    /** Our X25519 key pairs agree with the reference tool: {@code wg pubkey} derives the same public key. */
    @Test
    void generatedPairsMatchWgPubkey() throws Exception {
        for (int i = 0; i < 5; i++) {
            WireGuardKeys.GeneratedKeyPair pair = WireGuardKeys.generateKeyPair();
            assertThat(wgPubkey(pair.privateKey().reveal())).isEqualTo(pair.publicKey());
            byte[] priv = Base64.getDecoder().decode(pair.privateKey().reveal());
            assertThat(priv).hasSize(32);
            assertThat(priv[0] & 7).isZero(); // clamped as wg genkey does
            assertThat(priv[31] & 0xC0).isEqualTo(0x40);
        }
    }

    /** RFC 7748 §6.1: Alice's and Bob's key pairs. */
    @Test
    void publicKeyDerivationMatchesRfc7748Vectors() {
        assertPublicKey(
                "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
                "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertPublicKey(
                "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
                "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    }

    private static void assertPublicKey(String privateHex, String publicHex) {
        byte[] pub = new byte[WireGuardKeys.KEY_LENGTH];
        WireGuardKeys.publicKey(HexFormat.of().parseHex(privateHex), pub);
        assertThat(HexFormat.of().formatHex(pub)).isEqualTo(publicHex);
    }

    @Test
    void validatesPublicKeys() {
        assertThat(WireGuardKeys.validatePublicKey(
                        WireGuardKeys.generateKeyPair().publicKey()))
                .isNull();
        assertThat(WireGuardKeys.validatePublicKey(null)).isEqualTo("is required");
        assertThat(WireGuardKeys.validatePublicKey("abc")).contains("32 bytes");
        assertThat(WireGuardKeys.validatePublicKey(Base64.getEncoder().encodeToString(new byte[31]) + "AA"))
                .contains("32 bytes");
        assertThat(WireGuardKeys.validatePublicKey("!".repeat(43) + "=")).contains("32 bytes");
        assertThat(WireGuardKeys.validatePublicKey(Base64.getEncoder().encodeToString(new byte[32])))
                .contains("all-zero");
    }

    private static String wgPubkey(String privateKey) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wg", "pubkey").redirectErrorStream(true).start();
        p.getOutputStream().write((privateKey + "\n").getBytes(StandardCharsets.US_ASCII));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
