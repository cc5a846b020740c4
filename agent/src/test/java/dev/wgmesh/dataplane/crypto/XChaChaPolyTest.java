package dev.wgmesh.dataplane.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** draft-irtf-cfrg-xchacha-03 §2.2.1 (HChaCha20) and Appendix A.3.1 (AEAD). */
class XChaChaPolyTest {
    private static final byte[] KEY = Hex.of("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    private static final byte[] NONCE = Hex.of("404142434445464748494a4b4c4d4e4f5051525354555657");
    private static final byte[] AD = Hex.of("50515253c0c1c2c3c4c5c6c7");
    private static final byte[] PLAIN =
            ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for"
                            + " the future, sunscreen would be it.")
                    .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEALED = Hex.of("""
            bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb
            731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452
            2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9
            21f9664c97637da9768812f615c68b13b52e
            c0875924c1c7987947deafd8780acf49""");

    @Test
    void hchacha20Vector() {
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        byte[] sub = HChaCha20.derive(key, Hex.of("000000090000004a0000000031415927"), 0);
        assertThat(Hex.str(sub)).isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
    }

    @Test
    void sealAndOpenMatchDraftVector() {
        byte[] out = new byte[SEALED.length];
        XChaChaPoly.seal(KEY, NONCE, 0, AD, PLAIN, out, 0);
        assertThat(out).isEqualTo(SEALED);
        byte[] plain = new byte[PLAIN.length];
        assertThat(XChaChaPoly.open(KEY, NONCE, 0, AD, SEALED, 0, SEALED.length, plain, 0))
                .isEqualTo(PLAIN.length);
        assertThat(plain).isEqualTo(PLAIN);
    }

    @Test
    void everyFlippedBitOfCiphertextNonceOrAdIsRejected() {
        byte[] plain = new byte[PLAIN.length];
        for (int bit = 0; bit < SEALED.length * 8; bit++) {
            byte[] t = SEALED.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(XChaChaPoly.open(KEY, NONCE, 0, AD, t, 0, t.length, plain, 0))
                    .isEqualTo(-1);
        }
        for (int bit = 0; bit < NONCE.length * 8; bit++) {
            byte[] n = NONCE.clone();
            n[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(XChaChaPoly.open(KEY, n, 0, AD, SEALED, 0, SEALED.length, plain, 0))
                    .isEqualTo(-1);
        }
        byte[] ad = AD.clone();
        ad[11] ^= (byte) 0x80;
        assertThat(XChaChaPoly.open(KEY, NONCE, 0, ad, SEALED, 0, SEALED.length, plain, 0))
                .isEqualTo(-1);
    }
}
