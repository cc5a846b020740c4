package dev.wgmesh.bench;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** X25519 agreement: BouncyCastle (what {@link X25519} uses) against the JDK's XDH provider. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(1)
public class X25519Bench {
    private final byte[] priv = Keys.generatePrivateKey();
    private final byte[] peer = X25519.publicKey(Keys.generatePrivateKey());
    private final byte[] out = new byte[32];
    private KeyAgreement jdk;
    private KeyPair jdkPair;
    private PublicKey jdkPeer;

    @Setup
    public void setup() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
        jdkPair = g.generateKeyPair();
        jdkPeer = g.generateKeyPair().getPublic();
        jdk = KeyAgreement.getInstance("X25519");
        KeyFactory.getInstance("X25519");
    }

    @Benchmark
    public boolean bouncyCastle() {
        return X25519.sharedSecret(priv, peer, 0, out, 0);
    }

    @Benchmark
    public byte[] jdkXdh() throws Exception {
        jdk.init(jdkPair.getPrivate());
        jdk.doPhase(jdkPeer, true);
        return jdk.generateSecret();
    }
}
