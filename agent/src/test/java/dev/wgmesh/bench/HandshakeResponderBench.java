package dev.wgmesh.bench;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.noise.Handshake;
import dev.wgmesh.dataplane.noise.IndexAllocator;
import dev.wgmesh.dataplane.noise.LocalIdentity;
import dev.wgmesh.dataplane.noise.SessionKeys;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The responder's share of a handshake — consume an initiation, create the response, derive keys — which is what a
 * device does per handshake under an initiation flood. The initiation is made outside the measured time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeResponderBench {
    private final LocalIdentity alice = new LocalIdentity(Keys.generatePrivateKey());
    private final LocalIdentity bob = new LocalIdentity(Keys.generatePrivateKey());
    private final IndexAllocator indices = new IndexAllocator() {
        private int next = 1;

        @Override
        public int allocate(Handshake handshake) {
            return next++;
        }

        @Override
        public void release(int index) {}
    };
    private Handshake aliceToBob;
    private Handshake bobToAlice;
    private final byte[] init = new byte[148];
    private final byte[] resp = new byte[92];
    private long now = 1;

    @Setup(Level.Trial)
    public void keys() {
        aliceToBob = new Handshake(bob.publicKey(), indices);
        aliceToBob.setLocalIdentity(alice);
        bobToAlice = new Handshake(alice.publicKey(), indices);
        bobToAlice.setLocalIdentity(bob);
    }

    @Setup(Level.Invocation)
    public void nextInitiation() {
        aliceToBob.createInitiation(init, 0);
    }

    @Benchmark
    public SessionKeys responderSide() {
        now += 1_000_000_000L; // past the flood limit
        Handshake found = Handshake.consumeInitiation(bob, (k, off) -> bobToAlice, init, 0, now);
        found.createResponse(resp, 0);
        SessionKeys keys = found.deriveKeys(now);
        keys.destroy();
        return keys;
    }
}
