package dev.wgmesh.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.agent.StateDir;
import dev.wgmesh.proto.v1.InterfaceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostNetwork} against a scripted {@link Command}: roll-back, validation-before-commands, ownership record. */
class HostNetworkTest {
    @TempDir
    Path tmp;

    /** Answers reads from canned JSON, records change commands, fails the command that contains {@code failOn}. */
    static class FakeCommand implements Command {
        String link = "[{\"ifname\":\"wgm0\",\"flags\":[\"POINTOPOINT\",\"NOARP\"],\"mtu\":1500,\"addr_info\":[]}]";
        String routes4 = "[]";
        final List<String> failOn = new ArrayList<>();
        final List<List<String>> changes = new ArrayList<>();

        @Override
        public String run(List<String> argv) throws CommandException {
            String line = String.join(" ", argv);
            if (argv.contains("show")) {
                return line.contains("route") ? (line.contains("-4") ? routes4 : "[]") : link;
            }
            if (argv.get(0).equals("sysctl") && argv.contains("-n")) {
                return "0\n";
            }
            changes.add(argv);
            if (failOn.stream().anyMatch(line::contains)) {
                throw new CommandException(argv, 2, "RTNETLINK answers: File exists");
            }
            return "";
        }
    }

    @Test
    void failedCommandRollsBackEverythingThisApplyChanged() throws Exception {
        FakeCommand cmd = new FakeCommand();
        cmd.failOn.add("route add 192.168.30.0/24");
        HostNetwork net = new HostNetwork("wgm0", cmd, StateDir.open(tmp));
        InterfaceConfig config = InterfaceConfig.newBuilder()
                .addAddresses("10.99.0.7/24")
                .setMtu(1420)
                .addRoutes("192.168.20.0/24")
                .addRoutes("192.168.30.0/24")
                .build();
        assertThatThrownBy(() -> net.apply(config))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining("add route 192.168.30.0/24")
                .cause()
                .hasMessageContaining("File exists");
        assertThat(cmd.changes.stream().map(c -> String.join(" ", c)))
                .containsExactly(
                        "ip link set dev wgm0 mtu 1420",
                        "ip link set dev wgm0 up",
                        "ip -4 address add 10.99.0.7/24 dev wgm0",
                        "ip -4 route add 192.168.20.0/24 dev wgm0 proto 87",
                        "ip -4 route add 192.168.30.0/24 dev wgm0 proto 87",
                        // roll-back, newest first
                        "ip -4 route del 192.168.20.0/24 dev wgm0 proto 87",
                        "ip -4 address del 10.99.0.7/24 dev wgm0",
                        "ip link set dev wgm0 down",
                        "ip link set dev wgm0 mtu 1500");
    }

    @Test
    void failedRollBackIsReportedAlongsideTheCause() throws Exception {
        FakeCommand cmd = new FakeCommand();
        cmd.failOn.add("route add 192.168.30.0/24");
        cmd.failOn.add("address del 10.99.0.7/24");
        HostNetwork net = new HostNetwork("wgm0", cmd, StateDir.open(tmp));
        assertThatThrownBy(() -> net.apply(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0.7/24")
                        .addRoutes("192.168.30.0/24")
                        .build()))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining("add route 192.168.30.0/24")
                .satisfies(ex -> assertThat(ex.getSuppressed()).singleElement().satisfies(s -> assertThat(s)
                        .hasMessageContaining("add address 10.99.0.7/24")));
        // The address that could not be removed stays recorded as ours, so a later apply can remove it.
        assertThat(net.loadOwned()).containsExactly(HostAddress.parse("10.99.0.7/24"));
    }

    @Test
    void invalidConfigRunsNoCommandAtAll() throws Exception {
        List<List<String>> seen = new ArrayList<>();
        HostNetwork net = new HostNetwork(
                "wgm0",
                argv -> {
                    seen.add(argv);
                    return "";
                },
                StateDir.open(tmp));
        assertThatThrownBy(() -> net.apply(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0.7/24")
                        .addRoutes("192.168.1.0/24")
                        .addRoutes("not-a-prefix")
                        .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not-a-prefix");
        assertThat(seen).isEmpty();
    }

    @Test
    void ownershipRecordSurvivesInTheStateDirectory() throws Exception {
        FakeCommand cmd = new FakeCommand();
        StateDir dir = StateDir.open(tmp);
        new HostNetwork("wgm0", cmd, dir)
                .apply(InterfaceConfig.newBuilder().addAddresses("10.99.0.7/24").build());
        assertThat(new HostNetwork("wgm0", cmd, dir).loadOwned()).containsExactly(HostAddress.parse("10.99.0.7/24"));
    }

    @Test
    void hostWithoutIpv6StillAppliesIpv4() throws Exception {
        FakeCommand ipv4Only = new FakeCommand() {
            @Override
            public String run(List<String> argv) throws CommandException {
                if (String.join(" ", argv).contains("ipv6") || argv.contains("-6")) {
                    throw new CommandException(argv, 255, "sysctl: cannot stat /proc/sys/net/ipv6: No such file");
                }
                return super.run(argv);
            }
        };
        HostNetwork net = new HostNetwork("wgm0", ipv4Only, StateDir.open(tmp));
        net.apply(InterfaceConfig.newBuilder().addAddresses("10.99.0.7/24").build());
        assertThat(ipv4Only.changes)
                .extracting(c -> String.join(" ", c))
                .contains("ip -4 address add 10.99.0.7/24 dev wgm0");
    }

    @Test
    void missingInterfaceIsAClearError() throws Exception {
        HostNetwork net = new HostNetwork(
                "wgm9",
                argv -> {
                    throw new CommandException(argv, 1, "Device \"wgm9\" does not exist.");
                },
                StateDir.open(tmp));
        assertThatThrownBy(() -> net.apply(InterfaceConfig.getDefaultInstance()))
                .isInstanceOf(HostNetworkException.class)
                .hasMessageContaining("wgm9")
                .cause()
                .hasMessageContaining("does not exist");
    }

    @Test
    void parsesIpJson() throws Exception {
        HostSnapshot s = HostNetwork.IpJson.link(
                "[{\"ifname\":\"wgm0\",\"flags\":[\"NOARP\",\"UP\"],\"mtu\":1420,\"addr_info\":["
                        + "{\"family\":\"inet\",\"local\":\"10.9.0.1\",\"prefixlen\":24},"
                        + "{\"family\":\"inet6\",\"local\":\"fd00::1\",\"prefixlen\":64,\"nodad\":true}]}]",
                "wgm0",
                HostNetwork.IpJson.routes(
                        "[{\"dst\":\"default\",\"metric\":5000},{\"dst\":\"192.168.6.7\",\"scope\":\"link\"}]", false),
                true,
                false,
                true);
        assertThat(s.up()).isTrue();
        assertThat(s.mtu()).isEqualTo(1420);
        assertThat(s.addresses()).containsExactly(HostAddress.parse("10.9.0.1/24"), HostAddress.parse("fd00::1/64"));
        assertThat(s.ourRoutes()).extracting(Object::toString).containsExactly("0.0.0.0/0", "192.168.6.7/32");
        assertThat(HostNetwork.IpJson.routes("", true)).isEmpty();
        assertThatThrownBy(() -> HostNetwork.IpJson.routes("{oops", false)).isInstanceOf(HostNetworkException.class);
    }
}
