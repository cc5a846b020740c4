package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.ipam.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The endpoint an agent gets at enrolment from the interface addresses it reports. */
class AgentEnrollerEndpointTest {
    private static final List<Cidr> LANS = List.of(Cidr.parse("172.31.3.0/24"), Cidr.parse("fd00:3::/64"));

    @Test
    void skipsAddressesOnARoutedSiteLan() {
        // A site router lists its LAN address first (Java lists interfaces newest first); the other agents route
        // that LAN into their tunnels, so it cannot be the endpoint.
        assertThat(AgentEnroller.endpoint(List.of("172.31.3.1", "fd00:3::1", "10.250.4.13"), 51820, LANS))
                .isEqualTo("10.250.4.13:51820");
    }

    @Test
    void noEndpointWhenEveryAddressIsOnARoutedLan() {
        assertThat(AgentEnroller.endpoint(List.of("172.31.3.1", "fd00:3::1"), 51820, LANS))
                .isNull();
    }

    @Test
    void firstGlobalAddressOtherwise() {
        assertThat(AgentEnroller.endpoint(List.of("127.0.0.1", "fe80::1", "2001:db8::7", "192.0.2.10"), 51820, LANS))
                .isEqualTo("[2001:db8:0:0:0:0:0:7]:51820");
        assertThat(AgentEnroller.endpoint(List.of("192.0.2.10"), 51820, List.of()))
                .isEqualTo("192.0.2.10:51820");
        assertThat(AgentEnroller.endpoint(List.of("192.0.2.10"), 0, List.of())).isNull();
    }
}
