package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.agentapi.MeshView.PeerRow;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Agent peers' entries are built once and shared by every map; they follow row, keepalive and router changes. */
class NetworkMapsSharingTest {
    /** A network without a mesh: the overlay governs no pair and routes nothing. */
    private static final MeshOverlay NO_MESH = new MeshOverlay(null) {
        @Override
        boolean governs(MeshView view, PeerRow self, PeerRow peer) {
            return false;
        }

        @Override
        Optional<MeshRouting> routing(MeshView view, PeerRow self) {
            return Optional.empty();
        }
    };

    // no devices here: no preshared key is needed
    private final NetworkMaps maps = new NetworkMaps(null, NO_MESH);
    private final UUID siteA = UUID.randomUUID();
    private final UUID siteB = UUID.randomUUID();
    private final MeshView view = new MeshView(new MeshView.NetRow(UUID.randomUUID(), 1420, 25));
    private int next = 1;

    NetworkMapsSharingTest() {
        view.putSite(new MeshView.SiteRow(siteA, List.of("192.168.1.0/24")));
        view.putSite(new MeshView.SiteRow(siteB, List.of("192.168.2.0/24")));
    }

    private PeerRow agent(UUID site, Instant created) {
        int i = next++;
        byte[] key = new byte[32];
        key[0] = (byte) i;
        PeerRow p = new PeerRow(
                UUID.randomUUID(),
                site,
                "a" + i,
                true,
                key,
                "10.0.0." + i,
                List.of("10.0.0." + i + "/32"),
                "192.0.2." + i + ":51820",
                51820,
                null,
                true,
                null,
                created);
        view.putPeer(p);
        return p;
    }

    @Test
    void entriesAreSharedAcrossMapsAndFollowChanges() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        PeerRow routerA = agent(siteA, t);
        PeerRow secondA = agent(siteA, t.plusSeconds(1));
        PeerRow inB = agent(siteB, t);
        PeerRow noSite = agent(null, t);

        // Viewers elsewhere share one entry with the LAN; the router's own site-mate shares the one without.
        ConfigEntry fromB = maps.entry(view, inB, routerA).orElseThrow();
        ConfigEntry fromNoSite = maps.entry(view, noSite, routerA).orElseThrow();
        ConfigEntry fromSecond = maps.entry(view, secondA, routerA).orElseThrow();
        assertThat(fromB).isSameAs(fromNoSite);
        assertThat(fromB.config().getAllowedIpsList()).containsExactlyInAnyOrder("10.0.0.1/32", "192.168.1.0/24");
        assertThat(fromSecond.config().getAllowedIpsList()).containsExactly("10.0.0.1/32");
        assertThat(maps.entry(view, noSite, secondA).orElseThrow().config().getAllowedIpsList())
                .containsExactly("10.0.0.2/32"); // not the router: no LAN
        assertThat(maps.entries(view, inB)).contains(fromB);

        // A changed row gets a new entry, shared again.
        PeerRow moved = new PeerRow(
                routerA.id(),
                routerA.siteId(),
                routerA.name(),
                true,
                routerA.publicKey(),
                routerA.tunnelIpv4(),
                routerA.hostPrefixes(),
                "198.51.100.1:51820",
                51820,
                10,
                true,
                null,
                routerA.createdAt());
        view.putPeer(moved);
        ConfigEntry after = maps.entry(view, inB, moved).orElseThrow();
        assertThat(after)
                .isNotSameAs(fromB)
                .isSameAs(maps.entry(view, noSite, moved).orElseThrow());
        assertThat(after.config().getEndpoint()).isEqualTo("198.51.100.1:51820");
        assertThat(after.config().getPersistentKeepaliveSeconds()).isEqualTo(10);

        // Network keepalive change reaches entries of peers without their own.
        ConfigEntry before = maps.entry(view, inB, noSite).orElseThrow();
        view.network(new MeshView.NetRow(view.network().id(), 1420, 15));
        assertThat(maps.entry(view, inB, noSite).orElseThrow().config().getPersistentKeepaliveSeconds())
                .isEqualTo(15);
        assertThat(before.config().getPersistentKeepaliveSeconds()).isEqualTo(25);

        // The router leaves: the second agent of the site takes the LAN prefixes, and the routes follow.
        view.removePeer(moved.id());
        assertThat(maps.entry(view, inB, secondA).orElseThrow().config().getAllowedIpsList())
                .containsExactlyInAnyOrder("10.0.0.2/32", "192.168.1.0/24");
        assertThat(maps.interfaceOf(view, inB).getRoutesList()).containsExactly("192.168.1.0/24");
        assertThat(maps.interfaceOf(view, noSite).getRoutesList())
                .containsExactlyInAnyOrder("192.168.1.0/24", "192.168.2.0/24");
        view.removePeer(secondA.id());
        assertThat(maps.interfaceOf(view, inB).getRoutesList()).isEmpty();
        assertThat(view.agentsOfSite(siteA)).isEmpty();
    }
}
