package dev.wgmesh.bench;

import dev.wgmesh.dataplane.crypto.AeadKey;
import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.crypto.Keys;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Transport-data encryption of MTU-sized packets: our {@link ChaChaPoly} (in place, WireGuard nonce layout, the
 * engine {@link ChaChaPoly#defaultEngine()} picks for this CPU; {@code -Dwgmesh.aead=jce|split} on the JMH command line picks
 * one) against the raw JCE "ChaCha20-Poly1305" {@link Cipher} doing the same work on the same data in the same run.
 * The goal is ≥ 80% of raw.
 *
 * <p>Run with {@code -prof gc} to see the bytes allocated per packet ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TransportCryptoBench {
    @Param({"1420"})
    int size;

    private final ChaChaPoly ours = new ChaChaPoly();
    private AeadKey key;
    private Cipher raw;
    private SecretKeySpec rawKey;
    private final byte[] rawNonce = new byte[12];
    private byte[] buf;
    private byte[] sealed;
    private byte[] out;
    private long counter;

    @Setup
    public void setup() throws Exception {
        byte[] k = Keys.generatePresharedKey();
        key = new AeadKey(k);
        rawKey = new SecretKeySpec(k, "ChaCha20");
        raw = Cipher.getInstance("ChaCha20-Poly1305");
        buf = new byte[16 + size + 16];
        out = new byte[size + 16];
        new java.util.Random(1).nextBytes(buf);
        sealed = new byte[size + 16];
        System.arraycopy(buf, 16, sealed, 0, size);
        ours.seal(key, 42, sealed, 0, size);
    }

    @Benchmark
    public int sealOurs() {
        return ours.seal(key, counter++, buf, 16, size);
    }

    @Benchmark
    public int sealRawJce() throws Exception {
        long c = counter++;
        for (int i = 0; i < 8; i++) {
            rawNonce[4 + i] = (byte) (c >>> (8 * i));
        }
        raw.init(Cipher.ENCRYPT_MODE, rawKey, new IvParameterSpec(rawNonce));
        return raw.doFinal(buf, 16, size, buf, 16);
    }

    @Benchmark
    public int openOurs() {
        return ours.open(key, 42, sealed, 0, sealed.length, out, 0);
    }

    @Benchmark
    public int openRawJce() throws Exception {
        long c = 42;
        for (int i = 0; i < 8; i++) {
            rawNonce[4 + i] = (byte) (c >>> (8 * i));
        }
        raw.init(Cipher.DECRYPT_MODE, rawKey, new IvParameterSpec(rawNonce));
        return raw.doFinal(sealed, 0, sealed.length, out, 0);
    }
}
