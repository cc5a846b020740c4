package dev.wgmesh.dataplane.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.crypto.ChaChaPoly.Engine;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChaChaPolyTest {
    // RFC 8439 Appendix A.5: its nonce 00000000 ‖ 0102030405060708 is exactly WireGuard's layout with
    // counter = LE64(01..08).
    private static final byte[] KEY = Hex.of("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0");
    private static final long COUNTER = 0x0807060504030201L;
    private static final byte[] AD = Hex.of("f33388860000000000004e91");
    private static final byte[] PLAIN = Hex.of("""
            496e7465726e65742d4472616674732061726520647261667420646f63756d65
            6e74732076616c696420666f722061206d6178696d756d206f6620736978206d
            6f6e74687320616e64206d617920626520757064617465642c207265706c6163
            65642c206f72206f62736f6c65746564206279206f7468657220646f63756d65
            6e747320617420616e792074696d652e20497420697320696e617070726f7072
            6961746520746f2075736520496e7465726e65742d4472616674732061732072
            65666572656e6365206d6174657269616c206f7220746f206369746520746865
            6d206f74686572207468616e206173202fe2809c776f726b20696e2070726f67
            726573732e2fe2809d""");
    private static final byte[] SEALED = Hex.of("""
            64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2
            4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf
            332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855
            9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4
            b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e
            af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a
            0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10
            49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29
            a6ad5cb4022b02709beead9d67890cbb22392336fea1851f38""");

    private final AeadKey key = new AeadKey(KEY);

    @ParameterizedTest
    @EnumSource(Engine.class)
    void sealMatchesRfc8439A5(Engine engine) {
        ChaChaPoly aead = new ChaChaPoly(engine);
        byte[] out = new byte[SEALED.length];
        int n = aead.seal(key, COUNTER, AD, 0, AD.length, PLAIN, 0, PLAIN.length, out, 0);
        assertThat(n).isEqualTo(SEALED.length);
        assertThat(out).isEqualTo(SEALED);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void openMatchesRfc8439A5(Engine engine) {
        ChaChaPoly aead = new ChaChaPoly(engine);
        byte[] out = new byte[PLAIN.length];
        int n = aead.open(key, COUNTER, AD, 0, AD.length, SEALED, 0, SEALED.length, out, 0);
        assertThat(n).isEqualTo(PLAIN.length);
        assertThat(out).isEqualTo(PLAIN);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void everyFlippedBitIsRejectedAndNothingIsWritten(Engine engine) {
        ChaChaPoly aead = new ChaChaPoly(engine);
        byte[] out = new byte[PLAIN.length];
        for (int bit = 0; bit < SEALED.length * 8; bit++) {
            byte[] tampered = SEALED.clone();
            tampered[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(aead.open(key, COUNTER, AD, 0, AD.length, tampered, 0, tampered.length, out, 0))
                    .as("bit %d", bit)
                    .isEqualTo(-1);
        }
        byte[] ad = AD.clone();
        ad[0] ^= 1;
        assertThat(aead.open(key, COUNTER, ad, 0, ad.length, SEALED, 0, SEALED.length, out, 0))
                .isEqualTo(-1);
        assertThat(aead.open(key, COUNTER + 1, AD, 0, AD.length, SEALED, 0, SEALED.length, out, 0))
                .isEqualTo(-1);
        assertThat(aead.open(key, 0, AD, 0, AD.length, SEALED, 0, 15, out, 0)).isEqualTo(-1);
        assertThat(out).as("a rejected message writes no plaintext").containsOnly(0);
        byte[] inPlace = SEALED.clone();
        inPlace[3] ^= 1;
        byte[] before = inPlace.clone();
        assertThat(aead.open(key, COUNTER, AD, 0, AD.length, inPlace, 0, inPlace.length, inPlace, 0))
                .isEqualTo(-1);
        assertThat(inPlace).isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void inPlaceRoundTripAtRandomOffsetsAndLengths(Engine engine) {
        ChaChaPoly aead = new ChaChaPoly(engine);
        Random rnd = new Random(7);
        AeadKey k = new AeadKey(Keys.generatePresharedKey());
        for (int round = 0; round < 200; round++) {
            int off = rnd.nextInt(40);
            int len = rnd.nextInt(1500);
            byte[] buf = new byte[off + len + 16 + rnd.nextInt(8)];
            rnd.nextBytes(buf);
            byte[] plain = Arrays.copyOfRange(buf, off, off + len);
            byte[] before = buf.clone();
            long counter = rnd.nextLong();
            assertThat(aead.seal(k, counter, buf, off, len)).isEqualTo(len + 16);
            assertThat(Arrays.copyOfRange(buf, 0, off)).isEqualTo(Arrays.copyOfRange(before, 0, off));
            assertThat(aead.open(k, counter, buf, off, len + 16)).isEqualTo(len);
            assertThat(Arrays.copyOfRange(buf, off, off + len)).isEqualTo(plain);
        }
    }

    /** The two engines must be interchangeable byte for byte: each opens what the other sealed. */
    @Test
    void enginesAgreeOnEveryLengthWithAndWithoutAssociatedData() {
        ChaChaPoly split = new ChaChaPoly(Engine.SPLIT);
        ChaChaPoly jce = new ChaChaPoly(Engine.JCE);
        Random rnd = new Random(11);
        for (int len = 0; len <= 300; len++) {
            AeadKey k = new AeadKey(Keys.generatePresharedKey());
            byte[] ad = new byte[len % 3 == 0 ? 0 : rnd.nextInt(70)];
            rnd.nextBytes(ad);
            byte[] plain = new byte[len];
            rnd.nextBytes(plain);
            long counter = rnd.nextLong();
            byte[] a = new byte[len + 16];
            byte[] b = new byte[len + 16];
            assertThat(split.seal(k, counter, ad, 0, ad.length, plain, 0, len, a, 0))
                    .isEqualTo(len + 16);
            assertThat(jce.seal(k, counter, ad, 0, ad.length, plain, 0, len, b, 0))
                    .isEqualTo(len + 16);
            assertThat(a).as("length %d", len).isEqualTo(b);
            byte[] back = new byte[len];
            assertThat(split.open(k, counter, ad, 0, ad.length, b, 0, b.length, back, 0))
                    .isEqualTo(len);
            assertThat(back).isEqualTo(plain);
            assertThat(jce.open(k, counter, ad, 0, ad.length, a, 0, a.length, back, 0))
                    .isEqualTo(len);
            assertThat(back).isEqualTo(plain);
        }
    }

    @Test
    void splitSealOfAnEmptyPayloadIsATagOnly() {
        byte[] buf = new byte[16];
        AeadKey k = new AeadKey(Keys.generatePresharedKey());
        assertThat(new ChaChaPoly(Engine.SPLIT).seal(k, 0, buf, 0, 0)).isEqualTo(16);
        assertThat(new ChaChaPoly(Engine.SPLIT).open(k, 0, buf, 0, 16)).isEqualTo(0);
        byte[] jce = new byte[16];
        new ChaChaPoly(Engine.JCE).seal(k, 0, jce, 0, 0);
        assertThat(buf).isEqualTo(jce);
    }

    @Test
    void engineChoiceFollowsTheCpuAndTheProperty() {
        String avx2 = "fpu sse4_1 sse4_2 avx avx2";
        assertThat(ChaChaPoly.jdkPoly1305IsAccelerated("amd64", avx2)).isFalse();
        assertThat(ChaChaPoly.jdkPoly1305IsAccelerated("amd64", avx2 + " avx512f avx512ifma"))
                .isFalse();
        assertThat(ChaChaPoly.jdkPoly1305IsAccelerated("amd64", avx2 + " avx512ifma avx512vl"))
                .isTrue();
        assertThat(ChaChaPoly.jdkPoly1305IsAccelerated("amd64", avx2 + " avx_ifma"))
                .isTrue();
        assertThat(ChaChaPoly.jdkPoly1305IsAccelerated("amd64", "")).isFalse();
        assertThat(ChaChaPoly.jdkPoly1305IsAccelerated("aarch64", "")).isTrue();
        assertThat(ChaChaPoly.defaultEngine(" jce ", avx2)).isEqualTo(Engine.JCE);
        assertThat(ChaChaPoly.defaultEngine("split", avx2)).isEqualTo(Engine.SPLIT);
        assertThat(ChaChaPoly.defaultEngine(" ", avx2)).isEqualTo(Engine.SPLIT);
        assertThat(ChaChaPoly.parseEngine(null)).isNull();
        assertThatThrownBy(() -> ChaChaPoly.defaultEngine("fast", avx2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("wgmesh.aead must be split or jce, got 'fast'");
    }

    @Test
    void destroyedKeyIsWipedAndUnusable() {
        AeadKey k = new AeadKey(Keys.generatePresharedKey());
        k.destroy();
        assertThat(k.isDestroyed()).isTrue();
        assertThat(k.toString()).doesNotContainPattern("[0-9a-f]{16}");
        org.assertj.core.api.Assertions.assertThatThrownBy(k::getEncoded).isInstanceOf(IllegalStateException.class);
    }
}
