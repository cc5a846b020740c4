package dev.wgmesh.dataplane.crypto;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.IvParameterSpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) as WireGuard uses it (whitepaper §5.4): the 96-bit nonce is 4 zero bytes followed
 * by a 64-bit little-endian counter.
 *
 * <pre>
 *   seal:  buf[off .. off+len)            plaintext   →  buf[off .. off+len+16)  ciphertext ‖ tag
 *   open:  buf[off .. off+len)  ciphertext ‖ tag      →  buf[off .. off+len-16)  plaintext
 * </pre>
 *
 * <p>Two engines give the same bytes ({@link Engine}); the faster one for this CPU is chosen once:
 *
 * <ul>
 *   <li>{@link Engine#SPLIT}: the JDK's ChaCha20 stream cipher (its block function has AVX2 and NEON intrinsics)
 *       and our {@link Poly1305}. The default on x86 CPUs without AVX-512 IFMA / AVX-IFMA, where the JDK's
 *       Poly1305 runs in Java: a 1420-byte seal measured 1.9x and an open 1.8x faster this way, with 128 instead of
 *       2,208 bytes of garbage ({@code TransportCryptoBench}, {@code ./wgmesh bench crypto}).
 *   <li>{@link Engine#JCE}: the JDK's own "ChaCha20-Poly1305", whose Poly1305 has intrinsics on those CPUs and on
 *       AArch64.
 * </ul>
 *
 * <p>The system property {@code wgmesh.aead=split|jce} overrides the choice (benchmarks and tests).
 *
 * <p>Threading: not thread-safe. Each thread that encrypts or decrypts owns one instance; keys are passed per
 * call, so one instance serves every keypair.
 *
 * <p>Allocation: the JCE API forces a little garbage per packet: the parameter object and the provider's copies of
 * nonce and key ({@link AeadKey#getEncoded}), and its engine object; about 2.2 KB per packet more with
 * {@link Engine#JCE}, whose {@code init} also builds a Java Poly1305. Short-lived young-generation garbage.
 *
 * <p>Opening checks the tag before anything is decrypted: on failure the output is untouched. Input and output are
 * either the same range (in place) or do not overlap; a shifted overlap is not supported by either engine's cipher.
 */
public final class ChaChaPoly {
    public static final int TAG_LEN = 16;
    public static final int NONCE_LEN = 12;
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ZERO_BLOCK = new byte[64];

    /** How the AEAD is computed; both produce identical output. */
    public enum Engine {
        /** JCE ChaCha20 keystream with our {@link Poly1305}. */
        SPLIT,
        /** JCE "ChaCha20-Poly1305". */
        JCE
    }

    /** The system property that overrides the engine: {@code split} or {@code jce}. */
    public static final String ENGINE_PROPERTY = "wgmesh.aead";

    /** Holds the choice apart, so that {@link #parseEngine} can check a bad value without tripping over it here. */
    private static final class Chosen {
        static final Engine ENGINE = defaultEngine(System.getProperty(ENGINE_PROPERTY), cpuFlags());
    }

    private final Engine engine;
    private final Cipher cipher;
    private final Poly1305 poly;
    private final byte[] nonce = new byte[NONCE_LEN];
    private final byte[] polyKey = new byte[64];

    /** With this JVM's engine ({@link #defaultEngine()}). */
    public ChaChaPoly() {
        this(defaultEngine());
    }

    /** This JVM's engine: {@link #ENGINE_PROPERTY} if set, else by CPU ({@link #jdkPoly1305IsAccelerated}). */
    public static Engine defaultEngine() {
        return Chosen.ENGINE;
    }

    public ChaChaPoly(Engine engine) {
        this.engine = engine;
        try {
            this.cipher = Cipher.getInstance(engine == Engine.JCE ? "ChaCha20-Poly1305" : "ChaCha20");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks ChaCha20", e);
        }
        this.poly = engine == Engine.SPLIT ? new Poly1305() : null;
    }

    public Engine engine() {
        return engine;
    }

    /**
     * Encrypts {@code buf[off..off+len)} in place and appends the tag; {@code buf} must have 16 bytes of room after
     * the plaintext. Empty associated data (transport data).
     *
     * @return {@code len + 16}
     */
    public int seal(AeadKey key, long counter, byte[] buf, int off, int len) {
        return seal(key, counter, EMPTY, 0, 0, buf, off, len, buf, off);
    }

    /**
     * Decrypts {@code buf[off..off+len)} (ciphertext ‖ tag) in place.
     *
     * @return the plaintext length {@code len - 16}, or -1 when authentication fails (nothing is written then)
     */
    public int open(AeadKey key, long counter, byte[] buf, int off, int len) {
        return open(key, counter, EMPTY, 0, 0, buf, off, len, buf, off);
    }

    /** Out-of-place {@link #open(AeadKey, long, byte[], int, int)}: plaintext goes to {@code out[outOff..)}. */
    public int open(AeadKey key, long counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        return open(key, counter, EMPTY, 0, 0, in, inOff, len, out, outOff);
    }

    /** General form: seals {@code in[inOff..inOff+len)} with associated data into {@code out[outOff..)}. */
    public int seal(
            AeadKey key,
            long counter,
            byte[] ad,
            int adOff,
            int adLen,
            byte[] in,
            int inOff,
            int len,
            byte[] out,
            int outOff) {
        try {
            if (engine == Engine.JCE) {
                init(Cipher.ENCRYPT_MODE, key, counter);
                if (adLen > 0) {
                    cipher.updateAAD(ad, adOff, adLen);
                }
                return cipher.doFinal(in, inOff, len, out, outOff);
            }
            if (out.length - outOff < len + TAG_LEN) {
                throw new ShortBufferException();
            }
            startKeystream(Cipher.ENCRYPT_MODE, key, counter);
            xor(in, inOff, len, out, outOff);
            authenticate(ad, adOff, adLen, out, outOff, len);
            poly.finish(out, outOff + len);
            return len + TAG_LEN;
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("no room for the tag", e);
        } catch (GeneralSecurityException e) {
            // Only reachable when sealing twice with the same key and counter, a local bug.
            throw new IllegalStateException("ChaCha20-Poly1305 seal failed", e);
        }
    }

    /** General form of {@link #open(AeadKey, long, byte[], int, int)} with associated data; -1 on failure. */
    public int open(
            AeadKey key,
            long counter,
            byte[] ad,
            int adOff,
            int adLen,
            byte[] in,
            int inOff,
            int len,
            byte[] out,
            int outOff) {
        if (len < TAG_LEN) {
            return -1;
        }
        int plain = len - TAG_LEN;
        try {
            if (engine == Engine.JCE) {
                init(Cipher.DECRYPT_MODE, key, counter);
                if (adLen > 0) {
                    cipher.updateAAD(ad, adOff, adLen);
                }
                return cipher.doFinal(in, inOff, len, out, outOff);
            }
            if (out.length - outOff < plain) {
                throw new ShortBufferException();
            }
            startKeystream(Cipher.DECRYPT_MODE, key, counter);
            authenticate(ad, adOff, adLen, in, inOff, plain);
            if (!poly.verify(in, inOff + plain)) {
                return -1;
            }
            xor(in, inOff, plain, out, outOff);
            return plain;
        } catch (AEADBadTagException e) {
            return -1;
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("output too small", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 open failed", e);
        }
    }

    /** The stream cipher's keystream over {@code in[inOff..inOff+len)} into {@code out[outOff..)}. */
    private void xor(byte[] in, int inOff, int len, byte[] out, int outOff) throws ShortBufferException {
        if (cipher.update(in, inOff, len, out, outOff) != len) {
            throw new IllegalStateException("ChaCha20 returned a short keystream");
        }
    }

    /**
     * Keys the stream cipher at block 0 and takes that block's first 32 bytes as the Poly1305 key (§2.6); the
     * cipher then stands at block 1, where the payload starts (§2.8). Decrypt mode skips the JDK's check against
     * reusing the last key and nonce, which only sealing needs.
     */
    private void startKeystream(int mode, AeadKey key, long counter) throws GeneralSecurityException {
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(mode, key, new ChaCha20ParameterSpec(nonce, 0));
        cipher.update(ZERO_BLOCK, 0, 64, polyKey, 0);
        poly.init(polyKey, 0);
        Arrays.fill(polyKey, (byte) 0);
    }

    /** MACs the associated data and the ciphertext as §2.8 lays them out: each padded to 16, then both lengths. */
    private void authenticate(byte[] ad, int adOff, int adLen, byte[] ct, int ctOff, int ctLen) {
        if (adLen > 0) {
            poly.updatePadded(ad, adOff, adLen);
        }
        poly.updatePadded(ct, ctOff, ctLen);
        poly.updateLengths(adLen, ctLen);
    }

    /**
     * Whether the JDK's Poly1305 has its intrinsics on this CPU: x86 with AVX-512 IFMA and VL or with AVX-IFMA
     * (JDK 21+), or AArch64. {@code cpuFlags} is the "flags" line of {@code /proc/cpuinfo}, or empty.
     */
    static boolean jdkPoly1305IsAccelerated(String arch, String cpuFlags) {
        if (arch.equals("aarch64")) {
            return true;
        }
        java.util.List<String> flags = Arrays.asList(cpuFlags.trim().split("\\s+"));
        return flags.contains("avx_ifma") || (flags.contains("avx512ifma") && flags.contains("avx512vl"));
    }

    static Engine defaultEngine(String property, String cpuFlags) {
        Engine chosen = parseEngine(property);
        if (chosen != null) {
            return chosen;
        }
        return jdkPoly1305IsAccelerated(System.getProperty("os.arch", ""), cpuFlags) ? Engine.JCE : Engine.SPLIT;
    }

    /**
     * {@link #ENGINE_PROPERTY}'s value: {@code split} or {@code jce} (blanks around ignored), null when unset or blank
     * (chosen by CPU). The daemons call this at start so that a typo stops them with this message.
     *
     * @throws IllegalArgumentException naming the property, for anything else
     */
    public static Engine parseEngine(String property) {
        String v = property == null ? "" : property.trim();
        return switch (v) {
            case "" -> null;
            case "split" -> Engine.SPLIT;
            case "jce" -> Engine.JCE;
            default -> throw new IllegalArgumentException(ENGINE_PROPERTY + " must be split or jce, got '" + v + "'");
        };
    }

    private static String cpuFlags() {
        try (java.util.stream.Stream<String> lines =
                java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("flags"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1))
                    .orElse("");
        } catch (java.io.IOException | RuntimeException e) {
            return ""; // not Linux, or unreadable: assume no IFMA, the common case
        }
    }

    private void init(int mode, AeadKey key, long counter)
            throws InvalidKeyException, InvalidAlgorithmParameterException {
        // nonce = 0x00000000 ‖ LE64(counter); the first four bytes stay zero for ever.
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (counter >>> (8 * i));
        }
        cipher.init(mode, key, new IvParameterSpec(nonce));
    }
}
