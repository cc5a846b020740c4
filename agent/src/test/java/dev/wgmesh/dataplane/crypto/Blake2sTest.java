package dev.wgmesh.dataplane.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.junit.jupiter.api.Test;

class Blake2sTest {

    @Test
    void hashMatchesRfc7693AppendixB() {
        assertThat(Hex.str(Blake2s.hash("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
        assertThat(Hex.str(Blake2s.hash(new byte[0])))
                .isEqualTo("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
    }

    @Test
    void keyedMatchesReferenceKat() {
        // blake2s-kat.txt: key = 00..1f, 32-byte digest.
        byte[] key = new byte[32];
        for (int i = 0; i < 32; i++) {
            key[i] = (byte) i;
        }
        byte[] out = new byte[32];
        Blake2s.keyed(key, 32, new byte[0], 0, 0, out, 0);
        assertThat(Hex.str(out)).isEqualTo("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
        Blake2s.keyed(key, 32, new byte[] {0}, 0, 1, out, 0);
        assertThat(Hex.str(out)).isEqualTo("40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1");
    }

    /** RFC 7693 Appendix E: a hash over 48 keyed and unkeyed hashes of lengths 16..32 (covers the 16-byte MAC). */
    @Test
    void rfc7693SelfTest() {
        int[] mdLen = {16, 20, 28, 32};
        int[] inLen = {0, 3, 64, 65, 255, 1024};
        Blake2sDigest grand = new Blake2sDigest(256);
        byte[] in = new byte[1024];
        byte[] md = new byte[32];
        byte[] key = new byte[32];
        for (int outlen : mdLen) {
            for (int inlen : inLen) {
                selftestSeq(in, inlen, inlen);
                Blake2s.keyed(null, outlen, in, 0, inlen, md, 0);
                grand.update(md, 0, outlen);
                byte[] k = new byte[outlen];
                selftestSeq(k, outlen, outlen);
                if (outlen == Blake2s.MAC_LEN) {
                    Blake2s.mac(k, in, 0, inlen, md, 0); // the WireGuard MAC itself
                } else {
                    Blake2s.keyed(k, outlen, in, 0, inlen, md, 0);
                }
                grand.update(md, 0, outlen);
            }
        }
        byte[] result = new byte[32];
        grand.doFinal(result, 0);
        assertThat(Hex.str(result)).isEqualTo("6a411f08ce25adcdfb02aba641451cec53c598b24f4fc787fbdc88797f4c1dfe");
        assertThat(key).containsOnly(0);
    }

    private static void selftestSeq(byte[] out, int len, int seed) {
        int a = 0xDEAD4BAD * seed;
        int b = 1;
        for (int i = 0; i < len; i++) {
            int t = a + b;
            a = b;
            b = t;
            out[i] = (byte) (t >>> 24);
        }
    }

    @Test
    void mixHashEqualsHashOfConcatenationForRandomSplits() {
        Random rnd = new Random(1);
        for (int round = 0; round < 50; round++) {
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            byte[] data = new byte[rnd.nextInt(300)];
            rnd.nextBytes(data);
            int split = data.length == 0 ? 0 : rnd.nextInt(data.length);
            byte[] whole = new byte[32 + data.length];
            System.arraycopy(h, 0, whole, 0, 32);
            System.arraycopy(data, 0, whole, 32, data.length);
            byte[] expected = Blake2s.hash(whole);
            byte[] first = java.util.Arrays.copyOfRange(whole, 0, 32 + split);
            byte[] second = java.util.Arrays.copyOfRange(whole, 32 + split, whole.length);
            assertThat(Blake2s.hash(first, second)).isEqualTo(expected);
            Blake2s.mixHash(h, data, 0, data.length);
            assertThat(h).isEqualTo(expected);
        }
    }
}
