package dev.wgmesh.dataplane.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

class Poly1305Test {
    private final Poly1305 poly = new Poly1305();

    private byte[] mac(byte[] key, byte[] msg) {
        byte[] tag = new byte[16];
        poly.init(key, 0);
        poly.update(msg, 0, msg.length);
        poly.finish(tag, 0);
        return tag;
    }

    /** BouncyCastle's Poly1305: an independent implementation to compare with. */
    private static byte[] reference(byte[] key, byte[] msg) {
        org.bouncycastle.crypto.macs.Poly1305 bc = new org.bouncycastle.crypto.macs.Poly1305();
        bc.init(new KeyParameter(key));
        bc.update(msg, 0, msg.length);
        byte[] tag = new byte[16];
        bc.doFinal(tag, 0);
        return tag;
    }

    @Test
    void matchesRfc8439Section252() {
        byte[] key = Hex.of("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
        assertThat(mac(key, msg)).isEqualTo(Hex.of("a8061dc1305136c6c22b8baf0c0127a9"));
    }

    @Test
    void matchesBouncyCastleOnRandomKeysAndEveryLengthUpTo300() {
        Random rnd = new Random(3);
        for (int len = 0; len <= 300; len++) {
            byte[] key = new byte[32];
            byte[] msg = new byte[len];
            rnd.nextBytes(key);
            rnd.nextBytes(msg);
            assertThat(mac(key, msg)).as("length %d", len).isEqualTo(reference(key, msg));
        }
    }

    /** All-ones keys and messages drive every limb to its largest value: the carries and the final reduction. */
    @Test
    void matchesBouncyCastleAtTheLimbLimits() {
        byte[][] keys = {filled(32, 0xff), filled(32, 0x00), clampedMax(), filled(32, 0x80)};
        byte[][] fills = {filled(1, 0xff), filled(1, 0x00), filled(1, 0xfe)};
        for (byte[] key : keys) {
            for (byte[] fill : fills) {
                for (int len : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 64, 1420, 4096}) {
                    byte[] msg = new byte[len];
                    Arrays.fill(msg, fill[0]);
                    assertThat(mac(key, msg))
                            .as("key %02x.., fill %02x, length %d", key[0], fill[0], len)
                            .isEqualTo(reference(key, msg));
                }
            }
        }
    }

    /** The AEAD's form (§2.8): each part zero-padded to 16 bytes, then both lengths; pieces may be fed in turn. */
    @Test
    void paddedUpdatesAndLengthsMatchThePlainMacOfTheLaidOutMessage() {
        Random rnd = new Random(5);
        for (int round = 0; round < 100; round++) {
            byte[] key = new byte[32];
            byte[] ad = new byte[rnd.nextInt(40)];
            byte[] ct = new byte[rnd.nextInt(200)];
            rnd.nextBytes(key);
            rnd.nextBytes(ad);
            rnd.nextBytes(ct);
            int adPadded = (ad.length + 15) & ~15;
            int ctPadded = (ct.length + 15) & ~15;
            byte[] laidOut = new byte[adPadded + ctPadded + 16];
            System.arraycopy(ad, 0, laidOut, 0, ad.length);
            System.arraycopy(ct, 0, laidOut, adPadded, ct.length);
            for (int i = 0; i < 8; i++) {
                laidOut[adPadded + ctPadded + i] = (byte) ((long) ad.length >>> (8 * i));
                laidOut[adPadded + ctPadded + 8 + i] = (byte) ((long) ct.length >>> (8 * i));
            }
            byte[] tag = new byte[16];
            poly.init(key, 0);
            poly.updatePadded(ad, 0, ad.length);
            poly.updatePadded(ct, 0, ct.length);
            poly.updateLengths(ad.length, ct.length);
            poly.finish(tag, 0);
            assertThat(tag).isEqualTo(reference(key, laidOut));
        }
    }

    @Test
    void verifyAcceptsTheTagAndRejectsAnyOtherAtAnOffset() {
        byte[] key = new byte[32];
        new Random(9).nextBytes(key);
        byte[] msg = "transport data".getBytes(StandardCharsets.US_ASCII);
        byte[] tag = mac(key, msg);
        byte[] framed = new byte[20];
        System.arraycopy(tag, 0, framed, 4, 16);
        poly.init(key, 0);
        poly.update(msg, 0, msg.length);
        assertThat(poly.verify(framed, 4)).isTrue();
        for (int bit = 0; bit < 128; bit++) {
            byte[] wrong = framed.clone();
            wrong[4 + bit / 8] ^= (byte) (1 << (bit % 8));
            poly.init(key, 0);
            poly.update(msg, 0, msg.length);
            assertThat(poly.verify(wrong, 4)).as("bit %d", bit).isFalse();
        }
    }

    @Test
    void anInstanceIsReusableAndForgetsTheKeyAfterFinishing() throws Exception {
        byte[] key = filled(32, 0x5a);
        byte[] msg = filled(100, 0x11); // long enough for the powers of r to be made
        byte[] first = mac(key, msg);
        assertThat(mac(key, msg)).isEqualTo(first);
        for (java.lang.reflect.Field f : Poly1305.class.getDeclaredFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            if (f.getType() == long.class) {
                assertThat(f.getLong(poly)).as(f.getName()).isZero();
            } else if (f.getType() == long[].class) {
                assertThat((long[]) f.get(poly)).as(f.getName()).containsOnly(0L);
            }
        }
    }

    private static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** The largest r clamping allows, with s all ones. */
    private static byte[] clampedMax() {
        byte[] k = filled(32, 0xff);
        for (int i : new int[] {3, 7, 11, 15}) {
            k[i] = 0x0f;
        }
        for (int i : new int[] {4, 8, 12}) {
            k[i] = (byte) 0xfc;
        }
        return k;
    }
}
