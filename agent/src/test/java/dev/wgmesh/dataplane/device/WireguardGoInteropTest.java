package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.io.memory.MemoryTun;
import dev.wgmesh.dataplane.time.SystemScheduler;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our device against the real wireguard-go, with the real Linux stack behind it. wireguard-go runs in a network
 * namespace this test creates (reached over a veth pair, removed afterwards, also on failure); its TUN has
 * 10.88.0.1, our device (in-memory TUN) 10.88.0.2. Pings prove the handshake both ways (mac1, Noise, cookies
 * absent), transport encryption both ways, padding and allowed IPs.
 *
 * <p>Runs only as root with {@code wireguard-go}, {@code wg} and {@code ip} installed (the CI machines have them).
 */
@Timeout(60)
class WireguardGoInteropTest {
    /** The data path under test; {@link InlineWireguardGoInteropTest} runs the same tests inline. */
    DataPathMode mode() {
        return DataPathMode.PARALLEL;
    }

    private final String suffix =
            Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final String ns = "wgi-" + suffix;
    private final String vethOut = "wgia-" + suffix;
    private final String vethIn = "wgib-" + suffix;
    private final String wgName = "wgt-" + suffix;
    private final int subnet = ThreadLocalRandom.current().nextInt(16, 250);
    private final String ourOuter = "172.31." + subnet + ".1";
    private final String theirOuter = "172.31." + subnet + ".2";
    private final byte[] ourPrivate = Keys.generatePrivateKey();
    private final byte[] theirPrivate = Keys.generatePrivateKey();
    private Process wireguardGo;
    private Device device;
    private MemoryTun tun;
    private SystemScheduler scheduler;

    @BeforeEach
    void setUp() throws Exception {
        // Fail, never skip: CI runs as root with wireguard-go installed by .ci/run; a skip would hide a missing step.
        org.assertj.core.api.Assertions.assertThat(isRoot() && onPath("wireguard-go") && onPath("wg") && onPath("ip"))
                .as("this test needs root, wireguard-go, wg and ip (run .ci/run, or as root with those installed)")
                .isTrue();
        run("ip", "netns", "add", ns);
        run("ip", "link", "add", vethOut, "type", "veth", "peer", "name", vethIn);
        run("ip", "link", "set", vethIn, "netns", ns);
        run("ip", "addr", "add", ourOuter + "/30", "dev", vethOut);
        run("ip", "link", "set", vethOut, "up");
        inNs("ip", "addr", "add", theirOuter + "/30", "dev", vethIn);
        inNs("ip", "link", "set", vethIn, "up");
        inNs("ip", "link", "set", "lo", "up");
        wireguardGo = new ProcessBuilder("ip", "netns", "exec", ns, "wireguard-go", "-f", wgName)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (exec(List.of("ip", "netns", "exec", ns, "wg", "show", wgName)) != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("wireguard-go did not come up");
            }
            Thread.sleep(50);
        }

        tun = new MemoryTun("wgj-" + suffix, 1420);
        scheduler = new SystemScheduler("wg-timers-" + suffix);
        device = new Device(tun, new ChannelUdpTransport(InetAddress.getByName(ourOuter)), scheduler, mode());
        device.apply(new ConfigChange(
                ourPrivate,
                0,
                null,
                false,
                List.of(new ConfigChange.PeerChange(
                        X25519.publicKey(theirPrivate),
                        false,
                        false,
                        null,
                        theirOuter + ":51820",
                        null,
                        false,
                        List.of(IpPrefix.parse("10.88.0.1/32"))))));
        device.start();
        int ourPort = device.snapshot().listenPort();

        Path key = Files.createTempFile("wgi", ".key");
        try {
            Files.writeString(key, Keys.toBase64(theirPrivate) + "\n");
            inNs(
                    "wg",
                    "set",
                    wgName,
                    "private-key",
                    key.toString(),
                    "listen-port",
                    "51820",
                    "peer",
                    Keys.toBase64(X25519.publicKey(ourPrivate)),
                    "endpoint",
                    ourOuter + ":" + ourPort,
                    "allowed-ips",
                    "10.88.0.2/32");
        } finally {
            Files.deleteIfExists(key);
        }
        inNs("ip", "addr", "add", "10.88.0.1/24", "dev", wgName);
        inNs("ip", "link", "set", wgName, "up");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (device != null) {
            device.close();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (wireguardGo != null) {
            wireguardGo.destroy();
            wireguardGo.waitFor(5, TimeUnit.SECONDS);
        }
        exec(List.of("ip", "netns", "del", ns));
        exec(List.of("ip", "link", "del", vethOut));
    }

    @Test
    void weInitiateAndTheLinuxStackAnswersOurPing() throws Exception {
        for (int seq = 1; seq <= 3; seq++) {
            tun.inject(Icmp.echo("10.88.0.2", "10.88.0.1", 8, seq, Packets.payload(56 + seq, seq)));
            byte[] reply = tun.collect(10, TimeUnit.SECONDS);
            assertThat(reply).as("echo reply %d", seq).isNotNull();
            assertThat(reply[9]).isEqualTo((byte) 1); // ICMP
            assertThat(reply[20]).isEqualTo((byte) 0); // echo reply
            assertThat(IpPrefix.formatAddress(java.util.Arrays.copyOfRange(reply, 12, 16)))
                    .isEqualTo("10.88.0.1");
            assertThat(java.util.Arrays.copyOfRange(reply, 28, reply.length)).isEqualTo(Packets.payload(56 + seq, seq));
        }
        assertThat(device.counters().drops(DropReason.AUTH_FAILURE)).isZero();
        String show = output("ip", "netns", "exec", ns, "wg", "show", wgName, "latest-handshakes");
        assertThat(show).doesNotContain("\t0\n");
    }

    @Test
    void wireguardGoInitiatesAndWeAnswerItsDatagram() throws Exception {
        // A UDP exchange from inside the namespace (bash's /dev/udp: no ping binary needed).
        Process client = new ProcessBuilder(
                        "ip",
                        "netns",
                        "exec",
                        ns,
                        "bash",
                        "-c",
                        "exec 3<>/dev/udp/10.88.0.2/9999; echo hello >&3; timeout 10 head -c 5 <&3")
                .redirectErrorStream(true)
                .start();
        byte[] request = tun.collect(15, TimeUnit.SECONDS);
        assertThat(request)
                .as("datagram from wireguard-go's side; %s; %s", describe(), output("ip", "netns", "exec", ns, "wg"))
                .isNotNull();
        assertThat(request[9]).isEqualTo((byte) 17);
        assertThat(new String(request, 28, request.length - 28, StandardCharsets.US_ASCII))
                .isEqualTo("hello\n");
        tun.inject(Icmp.udpReplyTo(request, "pong\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(client.waitFor(15, TimeUnit.SECONDS)).isTrue();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("pong\n");
        assertThat(device.currentKeypair(X25519.publicKey(theirPrivate)).isInitiator())
                .isFalse();
    }

    private String describe() {
        StringBuilder sb = new StringBuilder("initiations=" + device.counters().initiationsSent() + " sessions="
                + device.counters().handshakesCompleted());
        for (DropReason r : DropReason.values()) {
            if (device.counters().drops(r) > 0) {
                sb.append(' ').append(r).append('=').append(device.counters().drops(r));
            }
        }
        return sb.toString();
    }

    private void inNs(String... cmd) throws Exception {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        if (exec(full) != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", full));
        }
    }

    private static void run(String... cmd) throws Exception {
        if (exec(List.of(cmd)) != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", cmd));
        }
    }

    private static int exec(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static String output(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(20, TimeUnit.SECONDS);
        return out;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, tool).canExecute()) {
                return true;
            }
        }
        return new File("/usr/sbin/" + tool).canExecute() || new File("/sbin/" + tool).canExecute();
    }
}
