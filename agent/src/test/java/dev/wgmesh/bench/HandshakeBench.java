package dev.wgmesh.bench;

import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.noise.Handshake;
import dev.wgmesh.dataplane.noise.IndexAllocator;
import dev.wgmesh.dataplane.noise.LocalIdentity;
import dev.wgmesh.dataplane.noise.SessionKeys;
import java.util.concurrent.TimeUnit;
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

/**
 * Complete handshakes on one core: initiation, its consumption, response, its consumption, key derivation on both
 * sides and the first data packet (the initiator's keepalive) sealed and opened. Both sides' work runs on the
 * measured thread, so one op = one handshake's total CPU cost; goal ≥ 3,000 ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBench {
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
    private final byte[] keepalive = new byte[16];
    private final ChaChaPoly aead = new ChaChaPoly();
    private long now = 1;

    @Setup
    public void setup() {
        byte[] psk = Keys.generatePresharedKey();
        aliceToBob = new Handshake(bob.publicKey(), indices);
        aliceToBob.setLocalIdentity(alice);
        aliceToBob.setPresharedKey(psk);
        bobToAlice = new Handshake(alice.publicKey(), indices);
        bobToAlice.setLocalIdentity(bob);
        bobToAlice.setPresharedKey(psk);
    }

    @Benchmark
    public int completeHandshake() {
        now += 1_000_000_000L; // past the flood limit
        aliceToBob.createInitiation(init, 0);
        Handshake found = Handshake.consumeInitiation(bob, (k, off) -> bobToAlice, init, 0, now);
        found.createResponse(resp, 0);
        if (!aliceToBob.consumeResponse(resp, 0)) {
            throw new IllegalStateException("handshake failed");
        }
        SessionKeys a = aliceToBob.deriveKeys(now);
        SessionKeys b = bobToAlice.deriveKeys(now);
        aead.seal(a.sendKey(), 0, keepalive, 0, 0);
        int n = aead.open(b.receiveKey(), 0, keepalive, 0, 16);
        a.destroy();
        b.destroy();
        return n;
    }
}
