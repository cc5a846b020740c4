package dev.wgmesh.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.proto.v1.InterfaceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HostNetwork} against the real kernel, inside a throwaway network namespace ({@code wgmt-<random>}) holding a
 * TUN interface like the data plane's (the build machines' kernel has no dummy driver). Needs root; skipped
 * otherwise. The namespace is deleted after each test, also when it fails.
 */
class HostNetworkNamespaceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private final ProcessCommand host = ProcessCommand.onHost(TIMEOUT);
    private String ns;
    private ProcessCommand inNs;
    private HostNetwork net;

    @BeforeEach
    void createNamespace() throws Exception {
        // Fail, never skip: a silently skipped namespace test would hide a missing CI setup (CI runs as root).
        assertThat(System.getProperty("user.name"))
                .as("this test needs root for network namespaces; run it as root, as CI does")
                .isEqualTo("root");
        String name =
                "wgmt-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        host.run(List.of("ip", "netns", "add", name));
        ns = name; // from here on, @AfterEach deletes it whatever happens
        inNs = ProcessCommand.inNamespace(ns, TIMEOUT);
        inNs.run(List.of("ip", "tuntap", "add", "dev", "wgm0", "mode", "tun"));
        net = new HostNetwork("wgm0", inNs, StateDir.open(tmp));
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (ns != null) {
            host.run(List.of("ip", "netns", "del", ns));
        }
    }

    private JsonElement link() throws Exception {
        return JsonParser.parseString(inNs.run(List.of("ip", "-json", "address", "show", "dev", "wgm0")))
                .getAsJsonArray()
                .get(0);
    }

    private List<String> addresses() throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonElement a : link().getAsJsonObject().getAsJsonArray("addr_info")) {
            String local = a.getAsJsonObject().get("local").getAsString();
            if (!local.startsWith("fe80")) {
                out.add(local + "/" + a.getAsJsonObject().get("prefixlen").getAsInt());
            }
        }
        return out;
    }

    private List<String> routes(String family, String... filter) throws Exception {
        List<String> argv = new ArrayList<>(List.of("ip", "-json", family, "route", "show", "dev", "wgm0"));
        argv.addAll(List.of(filter));
        List<String> out = new ArrayList<>();
        for (JsonElement r : JsonParser.parseString(inNs.run(argv)).getAsJsonArray()) {
            out.add(r.getAsJsonObject().get("dst").getAsString());
        }
        return out;
    }

    private String sysctl(String key) throws Exception {
        return inNs.run(List.of("sysctl", "-n", key)).strip();
    }

    @Test
    void appliesChangesAndRemovesConfiguration() throws Exception {
        InterfaceConfig first = InterfaceConfig.newBuilder()
                .addAddresses("10.99.0.7/24")
                .addAddresses("fd00:99::7/64")
                .setMtu(1420)
                .addRoutes("192.168.20.0/24")
                .addRoutes("fd20::/64")
                .addLocalLanPrefixes("192.168.10.0/24")
                .build();
        assertThat(net.apply(first).changes()).hasSize(7);
        assertThat(link().getAsJsonObject().get("mtu").getAsInt()).isEqualTo(1420);
        assertThat(link().getAsJsonObject().getAsJsonArray("flags").toString()).contains("\"UP\"");
        assertThat(addresses()).containsExactlyInAnyOrder("10.99.0.7/24", "fd00:99::7/64");
        assertThat(routes("-4", "proto", "87")).containsExactly("192.168.20.0/24");
        assertThat(routes("-6", "proto", "87")).containsExactly("fd20::/64");
        assertThat(sysctl("net.ipv4.ip_forward")).isEqualTo("1");
        assertThat(sysctl("net.ipv6.conf.all.forwarding")).isEqualTo("0"); // no IPv6 LAN here

        // Idempotent: the same configuration again runs no change command.
        assertThat(net.apply(first).isEmpty()).isTrue();

        // An operator's own address and route are never touched.
        inNs.run(List.of("ip", "address", "add", "172.16.5.5/16", "dev", "wgm0"));
        inNs.run(List.of("ip", "route", "add", "198.51.100.0/24", "dev", "wgm0"));

        InterfaceConfig second = InterfaceConfig.newBuilder()
                .addAddresses("10.99.0.8/24")
                .setMtu(1380)
                .addRoutes("192.168.30.0/24")
                .addRoutes("192.168.20.0/24")
                .build();
        net.apply(second);
        assertThat(link().getAsJsonObject().get("mtu").getAsInt()).isEqualTo(1380);
        assertThat(addresses()).containsExactlyInAnyOrder("10.99.0.8/24", "172.16.5.5/16");
        assertThat(routes("-4", "proto", "87")).containsExactlyInAnyOrder("192.168.20.0/24", "192.168.30.0/24");
        assertThat(routes("-6", "proto", "87")).isEmpty();
        assertThat(routes("-4")).contains("198.51.100.0/24");

        // Removing everything leaves only the operator's parts.
        net.apply(InterfaceConfig.getDefaultInstance());
        assertThat(addresses()).containsExactly("172.16.5.5/16");
        assertThat(routes("-4", "proto", "87")).isEmpty();
        assertThat(routes("-4")).contains("198.51.100.0/24");
    }

    @Test
    void failureMidwayRollsBackTheWholeApply() throws Exception {
        net.apply(InterfaceConfig.newBuilder()
                .addAddresses("10.99.0.7/24")
                .setMtu(1420)
                .addRoutes("192.168.20.0/24")
                .build());
        // A route the kernel will refuse: same prefix as an existing one (different protocol, same metric).
        inNs.run(List.of("ip", "route", "add", "203.0.113.0/24", "dev", "wgm0"));
        InterfaceConfig clashing = InterfaceConfig.newBuilder()
                .addAddresses("10.99.0.8/24")
                .setMtu(1400)
                .addRoutes("192.168.30.0/24")
                .addRoutes("203.0.113.0/24")
                .build();
        assertThatThrownBy(() -> net.apply(clashing))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining("add route 203.0.113.0/24")
                .cause()
                .hasMessageContaining("File exists");
        assertThat(link().getAsJsonObject().get("mtu").getAsInt()).isEqualTo(1420);
        assertThat(addresses()).containsExactly("10.99.0.7/24");
        assertThat(routes("-4", "proto", "87")).containsExactly("192.168.20.0/24");
        // And the earlier configuration is still the one that matches.
        assertThat(net.apply(InterfaceConfig.newBuilder()
                                .addAddresses("10.99.0.7/24")
                                .setMtu(1420)
                                .addRoutes("192.168.20.0/24")
                                .build())
                        .isEmpty())
                .isTrue();
    }

    @Test
    void routesFlushedByTheKernelAreRestoredInTheSamePass() throws Exception {
        net.apply(InterfaceConfig.newBuilder()
                .addAddresses("10.99.0.7/24")
                .addRoutes("192.168.20.0/24")
                .build());
        // Taking the last IPv4 address off makes the kernel drop the interface's IPv4 routes; ours must come back.
        net.apply(InterfaceConfig.newBuilder()
                .addAddresses("fd00:99::7/64")
                .addRoutes("192.168.20.0/24")
                .build());
        assertThat(addresses()).containsExactly("fd00:99::7/64");
        assertThat(routes("-4", "proto", "87")).containsExactly("192.168.20.0/24");
    }

    @Test
    void missingInterfaceIsReportedClearly() throws Exception {
        HostNetwork other = new HostNetwork("wgm7", inNs, StateDir.open(tmp));
        assertThatThrownBy(() -> other.apply(InterfaceConfig.getDefaultInstance()))
                .isInstanceOf(HostNetworkException.class)
                .cause()
                .hasMessageContaining("wgm7");
    }
}
