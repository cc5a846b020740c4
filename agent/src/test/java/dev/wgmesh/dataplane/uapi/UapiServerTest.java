package dev.wgmesh.dataplane.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.config.DeviceConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The UAPI text protocol against an in-memory device: rendering, parsing, atomicity, errors, streaming. */
@Timeout(60)
class UapiServerTest {
    static final String PRIV = "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a";
    static final String PUB1 = "b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33";
    static final String PUB2 = "58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376";
    static final String PSK = "188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52";
    static final String ZERO = "0".repeat(64);

    @TempDir
    Path dir;

    FakeDevice device;
    UapiServer server;

    @BeforeEach
    void start() throws IOException {
        device = new FakeDevice();
        server = UapiServer.start(dir, "wgtest0", device);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    UapiClient client() throws IOException {
        return new UapiClient(server.socketPath());
    }

    static final String FULL_SET = "set=1\n"
            + "private_key=" + PRIV + "\n"
            + "listen_port=51820\n"
            + "fwmark=4294967295\n"
            + "replace_peers=true\n"
            + "public_key=" + PUB1 + "\n"
            + "preshared_key=" + PSK + "\n"
            + "endpoint=192.0.2.1:51820\n"
            + "persistent_keepalive_interval=25\n"
            + "replace_allowed_ips=true\n"
            + "allowed_ip=10.0.0.5/24\n"
            + "allowed_ip=fd00::1/64\n"
            + "protocol_version=1\n"
            + "public_key=" + PUB2 + "\n"
            + "endpoint=[2001:db8::1]:1234\n"
            + "allowed_ip=10.1.0.0/16\n"
            + "\n";

    @Test
    void getOnAnEmptyDeviceIsJustErrnoZero() throws IOException {
        try (UapiClient c = client()) {
            assertThat(c.request("get=1\n\n")).isEqualTo("errno=0\n");
        }
    }

    @Test
    void setThenGetRendersEverythingInWireguardGoOrder() throws IOException {
        try (UapiClient c = client()) {
            assertThat(c.request(FULL_SET)).isEqualTo("errno=0\n");
            device.setCounters(HexFormat.of().parseHex(PUB1), 1_700_000_000_123_456_789L, 1000, 2000);
            assertThat(c.request("get=1\n\n"))
                    .isEqualTo("private_key=" + PRIV + "\n"
                            + "listen_port=51820\n"
                            + "fwmark=4294967295\n"
                            + "public_key=" + PUB1 + "\n"
                            + "preshared_key=" + PSK + "\n"
                            + "protocol_version=1\n"
                            + "endpoint=192.0.2.1:51820\n"
                            + "last_handshake_time_sec=1700000000\n"
                            + "last_handshake_time_nsec=123456789\n"
                            + "tx_bytes=2000\n"
                            + "rx_bytes=1000\n"
                            + "persistent_keepalive_interval=25\n"
                            + "allowed_ip=10.0.0.0/24\n"
                            + "allowed_ip=fd00::/64\n"
                            + "public_key=" + PUB2 + "\n"
                            + "preshared_key=" + ZERO + "\n"
                            + "protocol_version=1\n"
                            + "endpoint=[2001:db8::1]:1234\n"
                            + "last_handshake_time_sec=0\n"
                            + "last_handshake_time_nsec=0\n"
                            + "tx_bytes=0\n"
                            + "rx_bytes=0\n"
                            + "persistent_keepalive_interval=0\n"
                            + "allowed_ip=10.1.0.0/16\n"
                            + "errno=0\n");
        }
    }

    @Test
    void oneConnectionCarriesSeveralOperations() throws IOException {
        try (UapiClient c = client()) {
            c.send(FULL_SET + "get=1\n\n" + "set=1\npublic_key=" + PUB2 + "\nremove=true\n\n" + "get=1\n\n");
            assertThat(c.reply()).isEqualTo("errno=0\n");
            assertThat(c.reply()).contains("public_key=" + PUB2).endsWith("errno=0\n");
            assertThat(c.reply()).isEqualTo("errno=0\n");
            assertThat(c.reply()).doesNotContain(PUB2).contains(PUB1).endsWith("errno=0\n");
        }
    }

    @Test
    void updateOnlyDoesNotCreateAndReplaceAllowedIpsDropsEarlierLines() throws IOException {
        try (UapiClient c = client()) {
            c.request(FULL_SET);
            String other = "11".repeat(32);
            assertThat(c.request("set=1\npublic_key=" + other + "\nupdate_only=true\nallowed_ip=10.9.0.0/16\n\n"))
                    .isEqualTo("errno=0\n");
            assertThat(c.request("set=1\npublic_key=" + PUB1
                            + "\nallowed_ip=10.5.0.0/16\nreplace_allowed_ips=true\nallowed_ip=10.6.0.0/16\n\n"))
                    .isEqualTo("errno=0\n");
            String got = c.request("get=1\n\n");
            assertThat(got).doesNotContain(other).doesNotContain("10.5.0.0").contains("allowed_ip=10.6.0.0/16");
            assertThat(got).doesNotContain("allowed_ip=10.0.0.0/24");
        }
    }

    static Stream<String[]> malformed() {
        return Stream.of(
                new String[] {"private_key=" + PRIV.substring(2), "-22"},
                new String[] {"private_key=" + "zz" + PRIV.substring(2), "-22"},
                new String[] {"private_key=", "-22"},
                new String[] {"listen_port=65536", "-22"},
                new String[] {"listen_port=-1", "-22"},
                new String[] {"listen_port=", "-22"},
                new String[] {"listen_port= 1", "-22"},
                new String[] {"fwmark=4294967296", "-22"},
                new String[] {"fwmark=0x10", "-22"},
                new String[] {"replace_peers=false", "-22"},
                new String[] {"no_such_key=1", "-22"},
                new String[] {"line without equals sign", "-71"},
                new String[] {"public_key=" + PUB1.substring(1), "-22"},
                new String[] {"public_key=" + PUB1 + "\nremove=yes", "-22"},
                new String[] {"public_key=" + PUB1 + "\nupdate_only=1", "-22"},
                new String[] {"public_key=" + PUB1 + "\npreshared_key=abc", "-22"},
                new String[] {"public_key=" + PUB1 + "\nendpoint=192.0.2.1", "-22"},
                new String[] {"public_key=" + PUB1 + "\nendpoint=192.0.2.1:0", "-22"},
                new String[] {"public_key=" + PUB1 + "\nendpoint=192.0.2.1:65536", "-22"},
                new String[] {"public_key=" + PUB1 + "\nendpoint=[2001:db8::1:51820", "-22"},
                new String[] {"public_key=" + PUB1 + "\nendpoint=2001:db8::1:51820", "-22"},
                new String[] {"public_key=" + PUB1 + "\nendpoint=vpn.example.com:51820", "-22"},
                new String[] {"public_key=" + PUB1 + "\npersistent_keepalive_interval=65536", "-22"},
                new String[] {"public_key=" + PUB1 + "\nreplace_allowed_ips=maybe", "-22"},
                new String[] {"public_key=" + PUB1 + "\nallowed_ip=10.0.0.0/33", "-22"},
                new String[] {"public_key=" + PUB1 + "\nallowed_ip=fd00::/129", "-22"},
                new String[] {"public_key=" + PUB1 + "\nallowed_ip=10.0.0.1", "-22"},
                new String[] {"public_key=" + PUB1 + "\nallowed_ip=10.0.0/8", "-22"},
                new String[] {"public_key=" + PUB1 + "\nallowed_ip=10.0.0.0/x", "-22"},
                new String[] {"public_key=" + PUB1 + "\nallowed_ip=", "-22"},
                new String[] {"public_key=" + PUB1 + "\nprotocol_version=2", "-22"},
                new String[] {"public_key=" + PUB1 + "\nprivate_key=" + PRIV, "-22"},
                new String[] {"public_key=" + PUB1 + "\nlisten_port=1", "-22"},
                new String[] {"allowed_ip=" + "1".repeat(5000), "-71"});
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedInputChangesNothingAndTheConnectionStaysUsable(String bad, String errno) throws IOException {
        try (UapiClient c = client()) {
            assertThat(c.request(FULL_SET)).isEqualTo("errno=0\n");
            DeviceConfig before = device.snapshot();
            String beforeText = c.request("get=1\n\n");
            // valid lines before and after the bad one: none of them may take effect
            String tx =
                    "set=1\nlisten_port=1111\nfwmark=7\npublic_key=" + "22".repeat(32) + "\nallowed_ip=10.7.0.0/16\n"
                            + "public_key=" + PUB1 + "\nremove=true\n"
                            + bad + "\n"
                            + "public_key=" + PUB2 + "\nremove=true\n\n";
            // device keys after a peer are themselves invalid, so put the bad line first for device-level cases
            if (!bad.startsWith("public_key=")) {
                tx = "set=1\nlisten_port=1111\n" + bad + "\npublic_key=" + PUB2 + "\nremove=true\n\n";
            }
            assertThat(c.request(tx)).isEqualTo("errno=" + errno + "\n");
            assertThat(c.request("get=1\n\n")).isEqualTo(beforeText);
            assertThat(device.snapshot().peers()).hasSameSizeAs(before.peers());
            assertThat(device.snapshot().listenPort()).isEqualTo(51820);
        }
    }

    @Test
    void applyTimeErrorIsReportedWithItsErrnoAndChangesNothing() throws IOException {
        device.busyPort = 4444;
        try (UapiClient c = client()) {
            assertThat(c.request("set=1\nlisten_port=4444\nreplace_peers=true\n\n"))
                    .isEqualTo("errno=-98\n");
            assertThat(c.request("get=1\n\n")).isEqualTo("errno=0\n");
        }
    }

    @Test
    void unterminatedTransactionIsNotApplied() throws Exception {
        try (UapiClient c = client()) {
            c.send("set=1\nlisten_port=2222\n");
        }
        Thread.sleep(200);
        assertThat(device.snapshot().listenPort()).isZero();
    }

    @Test
    void getWithTrailingGarbageIsInvalidAndUnknownOperationsCloseTheConnection() throws IOException {
        try (UapiClient c = client()) {
            assertThat(c.request("get=1\nx")).isEqualTo("errno=-22\n");
            c.send("\nhello=1\n");
            assertThat(c.reply()).isNull();
        }
    }

    @Test
    void largeRepliesStreamWithoutTruncation() throws IOException {
        StringBuilder set = new StringBuilder("set=1\npublic_key=" + PUB1 + "\n");
        for (int i = 0; i < 65536; i++) {
            set.append("allowed_ip=10.")
                    .append(i >> 8)
                    .append('.')
                    .append(i & 0xff)
                    .append(".0/24\n");
        }
        set.append('\n');
        try (UapiClient c = client()) {
            assertThat(c.request(set.toString())).isEqualTo("errno=0\n");
            String got = c.request("get=1\n\n");
            assertThat(got.lines().filter(l -> l.startsWith("allowed_ip=")).count())
                    .isEqualTo(65536);
            assertThat(got).contains("allowed_ip=10.255.255.0/24\n").endsWith("errno=0\n");
        }
    }

    @Test
    void socketIsPrivateAndRemovedOnClose() throws IOException {
        Path sock = server.socketPath();
        assertThat(sock).isEqualTo(dir.resolve("wgtest0.sock"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
                .isEqualTo("rwx------");
        assertThat(server.socketFileIntact()).isTrue();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(sock); // the private staging directory is gone
        }
        server.close();
        assertThat(sock).doesNotExist();
    }

    @Test
    void liveSocketIsNotStolenButAStaleOneIsReplaced() throws IOException {
        assertThatThrownBy(() -> UapiServer.start(dir, "wgtest0", new FakeDevice()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in use");
        // simulate a dead daemon: a socket file nobody listens on
        server.close();
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("wgtest0.sock")));
        }
        assertThat(dir.resolve("wgtest0.sock")).exists();
        server = UapiServer.start(dir, "wgtest0", device);
        try (UapiClient c = client()) {
            assertThat(c.request("get=1\n\n")).isEqualTo("errno=0\n");
        }
    }

    @Test
    void deletingTheSocketFileIsNoticed() throws IOException {
        Files.delete(server.socketPath());
        assertThat(server.socketFileIntact()).isFalse();
    }
}
