package dev.wgmesh.controller.mesh;

import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.Names;
import dev.wgmesh.controller.ipam.Cidr;
import dev.wgmesh.controller.network.Network;
import dev.wgmesh.controller.site.Site;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checks a mesh request in two steps: {@link #canonical} refuses malformed input (400, nothing stored), {@link
 * #conflicts} refuses a spec that cannot work in its network (409 with one explanation per conflict): LAN prefixes
 * overlapping each other or a tunnel prefix, a hub-and-spoke mesh without hub, a site without a reachable endpoint
 * none of whose linked sites has one (two NATed ends never meet).
 */
final class MeshValidator {
    static final int MAX_MEMBERS = 1000;
    static final int MAX_PREFIXES = 64;

    private MeshValidator() {}

    /** The request as a canonical spec (prefixes canonical, empty lists instead of nulls). */
    static MeshSpec canonical(MeshRequest r, Map<UUID, Site> sites) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!Names.valid(r.name())) {
            problems.add(new FieldProblem("name", Names.MESSAGE));
        }
        if (r.topology() == null) {
            problems.add(new FieldProblem("topology", "is required: FULL_MESH, HUB_AND_SPOKE or EXPLICIT"));
        }
        List<MeshSpec.Member> in = r.members() == null ? List.of() : r.members();
        if (in.isEmpty()) {
            problems.add(new FieldProblem("members", "needs at least one member site"));
        } else if (in.size() > MAX_MEMBERS) {
            problems.add(new FieldProblem("members", "at most " + MAX_MEMBERS + " members"));
        }
        List<MeshSpec.Member> members = new ArrayList<>();
        Set<UUID> memberIds = new HashSet<>();
        for (int i = 0; i < in.size() && i < MAX_MEMBERS; i++) {
            members.add(member("members[" + i + "]", in.get(i), sites, memberIds, problems));
        }
        List<UUID> hubs = r.hubs() == null ? List.of() : r.hubs();
        if (!hubs.isEmpty() && r.topology() != Topology.HUB_AND_SPOKE) {
            problems.add(new FieldProblem("hubs", "only a HUB_AND_SPOKE mesh has hubs"));
        }
        Set<UUID> seenHubs = new HashSet<>();
        for (int i = 0; i < hubs.size(); i++) {
            UUID h = hubs.get(i);
            if (h == null || !memberIds.contains(h)) {
                problems.add(new FieldProblem("hubs[" + i + "]", "must be the siteId of a member"));
            } else if (!seenHubs.add(h)) {
                problems.add(new FieldProblem("hubs[" + i + "]", "is listed twice"));
            }
        }
        List<MeshSpec.Link> links = r.links() == null ? List.of() : r.links();
        if (!links.isEmpty() && r.topology() != Topology.EXPLICIT) {
            problems.add(new FieldProblem("links", "only an EXPLICIT mesh lists links"));
        }
        Set<SitePair> seenLinks = new HashSet<>();
        for (int i = 0; i < links.size(); i++) {
            MeshSpec.Link l = links.get(i);
            String field = "links[" + i + "]";
            if (l == null || !memberIds.contains(l.siteA()) || !memberIds.contains(l.siteB())) {
                problems.add(new FieldProblem(field, "siteA and siteB must be siteIds of members"));
            } else if (l.siteA().equals(l.siteB())) {
                problems.add(new FieldProblem(field, "links a site to itself"));
            } else if (!seenLinks.add(SitePair.of(l.siteA(), l.siteB()))) {
                problems.add(new FieldProblem(field, "is listed twice"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new MeshSpec(r.topology(), List.copyOf(hubs), List.copyOf(members), List.copyOf(links));
    }

    private static MeshSpec.Member member(
            String field, MeshSpec.Member m, Map<UUID, Site> sites, Set<UUID> ids, List<FieldProblem> problems) {
        if (m == null || m.siteId() == null) {
            problems.add(new FieldProblem(field + ".siteId", "is required"));
            return m;
        }
        if (!sites.containsKey(m.siteId())) {
            problems.add(new FieldProblem(field + ".siteId", "is no site of this network"));
        } else if (!ids.add(m.siteId())) {
            problems.add(new FieldProblem(field + ".siteId", "is a member twice"));
        }
        if (m.endpoint() != null) {
            String p = endpointProblem(m.endpoint());
            if (p != null) {
                problems.add(new FieldProblem(field + ".endpoint", p));
            }
        }
        Integer ka = m.persistentKeepalive();
        if (ka != null && (ka < 0 || ka > 65535)) {
            problems.add(new FieldProblem(field + ".persistentKeepalive", "must be 0-65535 seconds"));
        }
        List<String> prefixes = null;
        if (m.lanPrefixes() != null) {
            if (m.lanPrefixes().size() > MAX_PREFIXES) {
                problems.add(new FieldProblem(field + ".lanPrefixes", "at most " + MAX_PREFIXES + " prefixes"));
            }
            prefixes = new ArrayList<>();
            for (int j = 0; j < m.lanPrefixes().size() && j < MAX_PREFIXES; j++) {
                try {
                    prefixes.add(Cidr.parse(m.lanPrefixes().get(j)).toString());
                } catch (IllegalArgumentException | NullPointerException ex) {
                    problems.add(new FieldProblem(
                            field + ".lanPrefixes[" + j + "]",
                            ex.getMessage() == null ? "is required" : ex.getMessage()));
                }
            }
            prefixes = prefixes.stream().sorted().toList();
        }
        return new MeshSpec.Member(m.siteId(), m.endpoint(), ka, prefixes);
    }

    /** {@code host:port} or {@code [ipv6]:port}, port 1-65535; null when valid. */
    static String endpointProblem(String endpoint) {
        String expected = "must be host:port or [ipv6]:port";
        if (endpoint.isBlank() || endpoint.length() > 261 || endpoint.contains("/") || endpoint.contains("@")) {
            return expected;
        }
        try {
            URI u = new URI("udp://" + endpoint);
            if (u.getHost() == null
                    || u.getPort() < 1
                    || u.getPort() > 65535
                    || u.getRawPath().length() > 0) {
                return expected + " (port 1-65535)";
            }
            return null;
        } catch (URISyntaxException ex) {
            return expected;
        }
    }

    /** The 409s; empty when the spec can work. */
    static List<FieldProblem> conflicts(
            MeshSpec spec, Network network, Map<UUID, Site> sites, Set<UUID> sitesWithAgentEndpoint) {
        List<FieldProblem> out = new ArrayList<>();
        if (spec.topology() == Topology.HUB_AND_SPOKE && spec.hubs().isEmpty()) {
            out.add(new FieldProblem(
                    "hubs", "a HUB_AND_SPOKE mesh needs at least one hub: spokes reach each other only through one"));
        }
        List<Map.Entry<Cidr, String>> claimed = new ArrayList<>();
        for (int i = 0; i < spec.members().size(); i++) {
            MeshSpec.Member m = spec.members().get(i);
            Site site = sites.get(m.siteId());
            List<Cidr> prefixes = m.lanPrefixes() != null
                    ? m.lanPrefixes().stream().map(Cidr::parse).toList()
                    : site.lanPrefixes();
            for (Cidr c : prefixes) {
                String field = "members[" + i + "].lanPrefixes";
                String owner = "site '" + site.name() + "'";
                for (Cidr tunnel : new Cidr[] {network.ipv4Prefix(), network.ipv6Prefix()}) {
                    if (tunnel != null && tunnel.overlaps(c)) {
                        out.add(new FieldProblem(
                                field, c + " of " + owner + " overlaps the network's tunnel prefix " + tunnel));
                    }
                }
                for (Map.Entry<Cidr, String> other : claimed) {
                    if (other.getKey().overlaps(c)) {
                        out.add(new FieldProblem(
                                field, c + " of " + owner + " overlaps " + other.getKey() + " of " + other.getValue()));
                    }
                }
                claimed.add(Map.entry(c, owner));
            }
        }
        CompiledMesh mesh = new CompiledMesh(0, spec);
        for (int i = 0; i < spec.members().size(); i++) {
            MeshSpec.Member m = spec.members().get(i);
            if (reachable(m, sitesWithAgentEndpoint)) {
                continue;
            }
            boolean partner = spec.members().stream()
                    .anyMatch(o -> mesh.direct(m.siteId(), o.siteId()) && reachable(o, sitesWithAgentEndpoint));
            if (!partner) {
                out.add(new FieldProblem(
                        "members[" + i + "].endpoint",
                        "site '" + sites.get(m.siteId()).name() + "' has no reachable endpoint (none configured, no"
                                + " agent with one) and none of the sites it links to has one: configure an"
                                + " endpoint or link it to a reachable site"));
            }
        }
        return out;
    }

    private static boolean reachable(MeshSpec.Member m, Set<UUID> sitesWithAgentEndpoint) {
        return m.endpoint() != null || sitesWithAgentEndpoint.contains(m.siteId());
    }
}
