package dev.wgmesh.dataplane.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RFC 7748 §5.2 and §6.1 vectors, plus low-order-point rejection. */
class X25519Test {

    @Test
    void scalarMultVectors() {
        assertThat(Hex.str(X25519.scalarMult(
                        Hex.of("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                        Hex.of("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))))
                .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        assertThat(Hex.str(X25519.scalarMult(
                        Hex.of("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
                        Hex.of("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"))))
                .isEqualTo("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
    }

    @Test
    void iteratedThousandTimes() {
        byte[] k = new byte[32];
        k[0] = 9;
        byte[] u = k.clone();
        for (int i = 1; i <= 1000; i++) {
            byte[] next = X25519.scalarMult(k, u);
            u = k;
            k = next;
            if (i == 1) {
                assertThat(Hex.str(k)).isEqualTo("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
            }
        }
        assertThat(Hex.str(k)).isEqualTo("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    }

    @Test
    void diffieHellmanVector() {
        byte[] alice = Hex.of("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bob = Hex.of("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePub = X25519.publicKey(alice);
        byte[] bobPub = X25519.publicKey(bob);
        assertThat(Hex.str(alicePub)).isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        assertThat(Hex.str(bobPub)).isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] s1 = new byte[32];
        byte[] s2 = new byte[32];
        assertThat(X25519.sharedSecret(alice, bobPub, 0, s1, 0)).isTrue();
        assertThat(X25519.sharedSecret(bob, alicePub, 0, s2, 0)).isTrue();
        assertThat(Hex.str(s1))
                .isEqualTo(Hex.str(s2))
                .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    }

    @Test
    void lowOrderPointsGiveAllZeroSecretAndAreRejected() {
        byte[] priv = Keys.generatePrivateKey();
        byte[] out = new byte[32];
        assertThat(X25519.sharedSecret(priv, new byte[32], 0, out, 0)).isFalse();
        byte[] one = new byte[32];
        one[0] = 1;
        assertThat(X25519.sharedSecret(priv, one, 0, out, 0)).isFalse();
        // A point of order 8 (from the libsodium blocklist).
        byte[] order8 = Hex.of("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        assertThat(X25519.sharedSecret(priv, order8, 0, out, 0)).isFalse();
    }

    @Test
    void clampingFollowsRfc7748() {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) 0xff);
        X25519.clamp(k);
        assertThat(k[0] & 0xff).isEqualTo(0xf8);
        assertThat(k[31] & 0xff).isEqualTo(0x7f);
        byte[] z = new byte[32];
        X25519.clamp(z);
        assertThat(z[31] & 0xff).isEqualTo(0x40);
        assertThat(Keys.generatePrivateKey()[0] & 7).isZero();
    }
}
