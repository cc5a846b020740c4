package dev.wgmesh.bench;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.io.memory.MemoryNetwork;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.SystemScheduler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 1420-byte packet through two devices over the in-memory TUN and network (TUN read, route, encrypt, UDP,
 * decrypt, replay and allowed-IPs checks, TUN write), one at a time. The reference is the bare crypto work of one
 * packet (raw JCE seal + open of the same size) in the same run. With {@code -prof gc} the bytes allocated per
 * packet cover every thread of both devices.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DeviceBench {
    private static final int SIZE = 1420;

    private MemoryTun tunA;
    private MemoryTun tunB;
    private Device a;
    private Device b;
    private SystemScheduler schedA;
    private SystemScheduler schedB;
    private byte[] packet;

    private Cipher raw;
    private SecretKeySpec rawKey;
    private final byte[] nonce = new byte[12];
    private final byte[] rawBuf = new byte[SIZE + 16];
    private long counter;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        MemoryNetwork net = new MemoryNetwork();
        tunA = new MemoryTun("bench-a", SIZE);
        tunB = new MemoryTun("bench-b", SIZE);
        schedA = new SystemScheduler("bench-a-timers");
        schedB = new SystemScheduler("bench-b-timers");
        a = new Device(tunA, net.newTransport("192.0.2.1"), schedA);
        b = new Device(tunB, net.newTransport("192.0.2.2"), schedB);
        byte[] ka = Keys.generatePrivateKey();
        byte[] kb = Keys.generatePrivateKey();
        a.apply(config(ka, X25519.publicKey(kb), "192.0.2.2:51820", "10.0.0.2/32"));
        b.apply(config(kb, X25519.publicKey(ka), "192.0.2.1:51820", "10.0.0.1/32"));
        a.start();
        b.start();
        packet = new byte[SIZE];
        packet[0] = 0x45;
        packet[2] = (byte) (SIZE >>> 8);
        packet[3] = (byte) SIZE;
        packet[9] = 17;
        byte[] src = {10, 0, 0, 1};
        byte[] dst = {10, 0, 0, 2};
        System.arraycopy(src, 0, packet, 12, 4);
        System.arraycopy(dst, 0, packet, 16, 4);
        if (throughTunnel() == null) {
            throw new IllegalStateException("no session");
        }
        raw = Cipher.getInstance("ChaCha20-Poly1305");
        rawKey = new SecretKeySpec(Keys.generatePresharedKey(), "ChaCha20");
    }

    private static ConfigChange config(byte[] priv, byte[] peer, String endpoint, String allowed) {
        return new ConfigChange(
                priv,
                51820,
                null,
                false,
                List.of(new ConfigChange.PeerChange(
                        peer, false, false, null, endpoint, null, false, List.of(IpPrefix.parse(allowed)))));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        schedA.close();
        schedB.close();
    }

    @Benchmark
    public byte[] throughTunnel() throws InterruptedException {
        tunA.inject(packet);
        return tunB.collect(5, TimeUnit.SECONDS);
    }

    @Benchmark
    public int rawSealAndOpen() throws Exception {
        long c = counter++;
        for (int i = 0; i < 8; i++) {
            nonce[4 + i] = (byte) (c >>> (8 * i));
        }
        raw.init(Cipher.ENCRYPT_MODE, rawKey, new IvParameterSpec(nonce));
        int n = raw.doFinal(rawBuf, 0, SIZE, rawBuf, 0);
        raw.init(Cipher.DECRYPT_MODE, rawKey, new IvParameterSpec(nonce));
        return raw.doFinal(rawBuf, 0, n, rawBuf, 0);
    }
}
