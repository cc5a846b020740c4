package dev.wgmesh.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.proto.v1.InterfaceConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostNetworkPlanTest {
    private static final String IF = "wgm0";

    private static HostSettings want(InterfaceConfig.Builder b) {
        return HostSettings.from(b.build());
    }

    private static HostSnapshot have(List<String> addrs, int mtu, boolean up, List<String> routes) {
        return new HostSnapshot(
                addrs.stream().map(HostAddress::parse).toList(),
                mtu,
                up,
                routes.stream().map(IpPrefix::parse).toList(),
                false,
                false,
                true);
    }

    private static List<String> descriptions(HostNetworkPlan plan) {
        return plan.changes().stream().map(HostChange::description).toList();
    }

    @Test
    void freshInterfaceGetsEverythingInSafeOrder() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0.7/24")
                        .addAddresses("fd00::7/64")
                        .setMtu(1420)
                        .addRoutes("192.168.20.0/24")
                        .addRoutes("fd20::/64")
                        .addLocalLanPrefixes("192.168.10.0/24")),
                have(List.of("fe80::1/64"), 1500, false, List.of()),
                Set.of());
        assertThat(descriptions(plan))
                .containsExactly(
                        "set MTU 1420",
                        "set link up",
                        "add address 10.99.0.7/24",
                        "add address fd00::7/64",
                        "add route 192.168.20.0/24",
                        "add route fd20::/64",
                        "enable net.ipv4.ip_forward");
        assertThat(plan.changes().get(0).undo()).containsExactly("ip", "link", "set", "dev", IF, "mtu", "1500");
        assertThat(plan.changes().get(3).command())
                .containsExactly("ip", "-6", "address", "add", "fd00::7/64", "dev", IF, "nodad");
        assertThat(plan.changes().get(5).command())
                .containsExactly("ip", "-6", "route", "add", "fd20::/64", "dev", IF, "proto", "87");
        assertThat(plan.owned())
                .containsExactlyInAnyOrder(HostAddress.parse("10.99.0.7/24"), HostAddress.parse("fd00::7/64"));
    }

    @Test
    void matchingHostNeedsNoChange() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0.7/24")
                        .setMtu(1420)
                        .addRoutes("192.168.20.0/24")),
                have(List.of("10.99.0.7/24"), 1420, true, List.of("192.168.20.0/24")),
                Set.of(HostAddress.parse("10.99.0.7/24")));
        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.owned()).containsExactly(HostAddress.parse("10.99.0.7/24"));
    }

    @Test
    void mtuZeroLeavesTheMtuAlone() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF, want(InterfaceConfig.newBuilder()), have(List.of(), 9000, true, List.of()), Set.of());
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void removesOnlyWhatIsOurs() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder().addAddresses("10.99.0.8/24")),
                have(List.of("10.99.0.7/24", "172.16.0.1/16"), 1420, true, List.of("192.168.20.0/24")),
                Set.of(HostAddress.parse("10.99.0.7/24")));
        assertThat(descriptions(plan))
                .containsExactly(
                        "remove route 192.168.20.0/24", "add address 10.99.0.8/24", "remove address 10.99.0.7/24");
        assertThat(plan.changes().get(2).undo())
                .containsExactly("ip", "-4", "address", "add", "10.99.0.7/24", "dev", IF);
        assertThat(plan.owned()).containsExactly(HostAddress.parse("10.99.0.8/24"));
    }

    @Test
    void promotesSecondariesBeforeRemovingAnIpv4Address() {
        HostSnapshot noPromote = new HostSnapshot(
                List.of(HostAddress.parse("10.99.0.7/24")), 1420, true, List.of(), false, false, false);
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder().addAddresses("10.99.0.8/24")),
                noPromote,
                Set.of(HostAddress.parse("10.99.0.7/24")));
        assertThat(descriptions(plan))
                .containsExactly(
                        "add address 10.99.0.8/24",
                        "enable net/ipv4/conf/wgm0/promote_secondaries",
                        "remove address 10.99.0.7/24");
    }

    @Test
    void wantedAddressAnOperatorAlreadyAddedStaysTheirs() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder().addAddresses("10.99.0.7/24")),
                have(List.of("10.99.0.7/24"), 1420, true, List.of()),
                Set.of());
        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.owned()).isEmpty();
        // ...so that when the controller stops wanting it, it is not removed.
        HostNetworkPlan later = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder()),
                have(List.of("10.99.0.7/24"), 1420, true, List.of()),
                plan.owned());
        assertThat(later.isEmpty()).isTrue();
    }

    @Test
    void changedPrefixLengthOfOurAddressIsReplaced() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder().addAddresses("fd00::7/48")),
                have(List.of("fd00::7/64"), 1420, true, List.of()),
                Set.of(HostAddress.parse("fd00::7/64")));
        assertThat(descriptions(plan)).containsExactly("remove address fd00::7/64", "add address fd00::7/48");
    }

    @Test
    void ipv6ClashWithSomeoneElsesAddressIsRefusedBeforeAnyCommand() {
        assertThatThrownBy(() -> HostNetworkPlan.compute(
                        IF,
                        want(InterfaceConfig.newBuilder().addAddresses("fd00::7/48")),
                        have(List.of("fd00::7/64"), 1420, true, List.of()),
                        Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fd00::7/48")
                .hasMessageContaining("did not add");
    }

    @Test
    void recordsOfVanishedAddressesAreForgotten() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder()),
                have(List.of(), 1420, true, List.of()),
                Set.of(HostAddress.parse("10.99.0.7/24")));
        assertThat(plan.isEmpty()).isTrue();
        assertThat(plan.owned()).isEmpty();
    }

    @Test
    void forwardingOnlyForTheFamiliesOfTheLocalLan() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder().addLocalLanPrefixes("fd10::/64")),
                have(List.of(), 1420, true, List.of()),
                Set.of());
        assertThat(descriptions(plan)).containsExactly("enable net.ipv6.conf.all.forwarding");
        assertThat(plan.changes().get(0).undo())
                .containsExactly("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=0");
        HostSnapshot forwarding = new HostSnapshot(List.of(), 1420, true, List.of(), true, true, true);
        assertThat(HostNetworkPlan.compute(
                                IF,
                                want(InterfaceConfig.newBuilder().addLocalLanPrefixes("fd10::/64")),
                                forwarding,
                                Set.of())
                        .isEmpty())
                .isTrue();
    }

    @Test
    void defaultAndHostRoutesRoundTrip() {
        HostNetworkPlan plan = HostNetworkPlan.compute(
                IF,
                want(InterfaceConfig.newBuilder().addRoutes("0.0.0.0/0").addRoutes("192.168.6.7")),
                have(List.of(), 1420, true, List.of("0.0.0.0/0", "192.168.6.7/32")),
                Set.of());
        assertThat(plan.isEmpty()).isTrue();
    }

    @Test
    void settingsAreValidatedWithClearMessages() {
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().addAddresses("10.99.0.300/24")))
                .hasMessageContaining("invalid address");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().addAddresses("10.99.0.7/33")))
                .hasMessageContaining("invalid address");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().addAddresses("224.0.0.1/32")))
                .hasMessageContaining("cannot be an interface address");
        assertThatThrownBy(() -> want(
                        InterfaceConfig.newBuilder().addAddresses("10.0.0.1/24").addAddresses("10.0.0.1/24")))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> want(
                        InterfaceConfig.newBuilder().addAddresses("fd00::1/64").addAddresses("fd00::1/48")))
                .hasMessageContaining("two prefix lengths");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().addRoutes("example.com/24")))
                .hasMessageContaining("invalid route");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().addLocalLanPrefixes("10.0.0.0/40")))
                .hasMessageContaining("invalid local LAN prefix");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().setMtu(67))).hasMessageContaining("mtu 67");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().setMtu(70000)))
                .hasMessageContaining("mtu 70000");
        assertThatThrownBy(() -> want(InterfaceConfig.newBuilder().setMtu(1200).addAddresses("fd00::1/64")))
                .hasMessageContaining("IPv6");
        // IPv4-only tunnels may go below 1280.
        assertThat(want(InterfaceConfig.newBuilder().setMtu(1200).addAddresses("10.0.0.1/24"))
                        .mtu())
                .isEqualTo(1200);
    }
}
