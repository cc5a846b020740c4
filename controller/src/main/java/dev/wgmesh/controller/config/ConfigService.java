package dev.wgmesh.controller.config;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.ipam.Cidr;
import dev.wgmesh.controller.keys.PresharedKeys;
import dev.wgmesh.controller.keys.WireGuardSecret;
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.network.NetworkService;
import dev.wgmesh.controller.peer.Peer;
import dev.wgmesh.controller.peer.PeerKind;
import dev.wgmesh.controller.peer.PeerService;
import dev.wgmesh.controller.site.Site;
import dev.wgmesh.controller.site.SiteService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * Builds the wg-quick file of a DEVICE peer.
 *
 * <p>The device talks to every active AGENT peer of its network that has an endpoint. Each such peer's AllowedIPs are
 * its tunnel addresses plus, for the first active agent of a site (oldest first), that site's LAN prefixes: WireGuard's
 * cryptokey routing gives a prefix to exactly one peer, so a static file cannot fail over between a site's agents
 * (the wgmesh agent can; a device file is pinned to the primary). Each device-agent link has its own preshared key.
 */
@Service
public class ConfigService {
    private final NetworkService networks;
    private final PeerService peers;
    private final SiteService sites;
    private final PresharedKeys presharedKeys;
    private final AuditLog audit;
    private final Clock clock = Clock.systemUTC();

    ConfigService(
            NetworkService networks,
            PeerService peers,
            SiteService sites,
            PresharedKeys presharedKeys,
            AuditLog audit) {
        this.networks = networks;
        this.peers = peers;
        this.sites = sites;
        this.presharedKeys = presharedKeys;
        this.audit = audit;
    }

    /** A rendered file and the name to save it under (a valid wg-quick interface name: at most 15 characters). */
    public record DeviceConfigFile(String fileName, String text) {
        @Override
        public String toString() {
            return "DeviceConfigFile[" + fileName + "]";
        }
    }

    /** Renders the file and records the download ({@code format}: conf, png, svg) in the audit log. */
    public DeviceConfigFile export(UUID networkId, UUID peerId, String format) {
        Network network = networks.get(networkId);
        Peer device = peers.get(networkId, peerId);
        if (device.kind() != PeerKind.DEVICE) {
            throw new ConflictException(
                    null, "config files are for DEVICE peers; agents receive their configuration from the agent API");
        }
        Instant now = clock.instant();
        List<Peer> agents = peers.reachableAgents(networkId).stream()
                .filter(p -> p.active(now))
                .toList();
        Map<UUID, Site> siteById =
                sites.all(networkId).stream().collect(Collectors.toMap(Site::id, Function.identity()));
        Set<UUID> sitesRouted = new HashSet<>();
        List<WgQuickConfig.PeerSection> sections = new ArrayList<>(agents.size());
        for (Peer agent : agents) {
            List<String> allowed = new ArrayList<>(agent.tunnelHostPrefixes());
            if (agent.siteId() != null && sitesRouted.add(agent.siteId()) && siteById.containsKey(agent.siteId())) {
                siteById.get(agent.siteId()).lanPrefixes().stream()
                        .map(Cidr::toString)
                        .forEach(allowed::add);
            }
            WireGuardSecret psk = presharedKeys.forLink(device.id(), agent.id());
            int keepalive =
                    device.persistentKeepalive() != null ? device.persistentKeepalive() : network.persistentKeepalive();
            sections.add(new WgQuickConfig.PeerSection(
                    agent.name(), agent.publicKey(), psk.reveal(), allowed, agent.endpoint(), keepalive));
        }
        String privateKey = peers.devicePrivateKey(networkId, peerId)
                .map(WireGuardSecret::reveal)
                .orElse(null);
        String text = WgQuickRenderer.render(new WgQuickConfig(
                "wgmesh: peer " + device.name() + " in network " + network.name(),
                privateKey,
                device.tunnelHostPrefixes(),
                device.listenPort(),
                network.dnsServers(),
                network.mtu(),
                sections));
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("format", format);
        details.put("peers", sections.size());
        details.put("includesPrivateKey", privateKey != null);
        audit.record("peer.config.downloaded", "peer", peerId, null, details);
        return new DeviceConfigFile(fileName(device.name()), text);
    }

    private static String fileName(String peerName) {
        String base = peerName.length() > 15 ? peerName.substring(0, 15) : peerName;
        return base + ".conf";
    }
}
