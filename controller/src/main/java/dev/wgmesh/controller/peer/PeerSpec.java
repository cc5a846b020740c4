package dev.wgmesh.controller.peer;

import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.Names;
import dev.wgmesh.controller.ipam.IpAddress;
import dev.wgmesh.controller.keys.WireGuardKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** A {@link PeerRequest} checked field by field (everything that needs no database); all problems reported at once. */
record PeerSpec(
        String name,
        PeerKind kind,
        UUID siteId,
        String publicKey,
        IpAddress tunnelIpv4,
        IpAddress tunnelIpv6,
        String endpoint,
        Integer listenPort,
        Integer persistentKeepalive,
        boolean enabled,
        Instant expiresAt,
        Set<String> tags) {
    static final int MAX_TAGS = 32;
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    static PeerSpec validate(PeerRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!Names.valid(r.name())) {
            problems.add(new FieldProblem("name", Names.MESSAGE));
        }
        if (r.kind() == null) {
            problems.add(new FieldProblem("kind", "is required: AGENT or DEVICE"));
        }
        if (r.publicKey() != null || r.kind() == PeerKind.AGENT) {
            String keyProblem = WireGuardKeys.validatePublicKey(r.publicKey());
            if (keyProblem != null) {
                problems.add(new FieldProblem("publicKey", keyProblem));
            }
        }
        if (r.siteId() != null && r.kind() == PeerKind.DEVICE) {
            problems.add(new FieldProblem("siteId", "only AGENT peers route a site's LAN"));
        }
        IpAddress v4 = address(r.tunnelIpv4(), "tunnelIpv4", 4, problems);
        IpAddress v6 = address(r.tunnelIpv6(), "tunnelIpv6", 6, problems);
        String endpointProblem = r.endpoint() == null ? null : endpointProblem(r.endpoint());
        if (endpointProblem != null) {
            problems.add(new FieldProblem("endpoint", endpointProblem));
        }
        if (r.listenPort() != null && (r.listenPort() < 1 || r.listenPort() > 65535)) {
            problems.add(new FieldProblem("listenPort", "must be 1-65535"));
        }
        if (r.persistentKeepalive() != null && (r.persistentKeepalive() < 0 || r.persistentKeepalive() > 65535)) {
            problems.add(new FieldProblem("persistentKeepalive", "must be 0 (off) to 65535 seconds"));
        }
        Set<String> tags = new LinkedHashSet<>();
        List<String> rawTags = r.tags() == null ? List.of() : r.tags();
        if (rawTags.size() > MAX_TAGS) {
            problems.add(new FieldProblem("tags", "at most " + MAX_TAGS + " tags"));
        }
        for (int i = 0; i < rawTags.size() && i < MAX_TAGS; i++) {
            if (!Names.valid(rawTags.get(i))) {
                problems.add(new FieldProblem("tags[" + i + "]", Names.MESSAGE));
            } else {
                tags.add(rawTags.get(i));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new PeerSpec(
                r.name(),
                r.kind(),
                r.siteId(),
                r.publicKey(),
                v4,
                v6,
                r.endpoint(),
                r.listenPort(),
                r.persistentKeepalive(),
                r.enabled() == null || r.enabled(),
                r.expiresAt(),
                tags);
    }

    private static IpAddress address(String text, String field, int family, List<FieldProblem> problems) {
        if (text == null) {
            return null;
        }
        try {
            IpAddress a = IpAddress.parse(text);
            if (a.family() == family) {
                return a;
            }
            problems.add(new FieldProblem(field, "must be an IPv" + family + " address"));
        } catch (IllegalArgumentException ex) {
            problems.add(new FieldProblem(field, ex.getMessage()));
        }
        return null;
    }

    /** {@code host:port}, {@code a.b.c.d:port} or {@code [v6]:port}, as {@code wg set ... endpoint} accepts. */
    static String endpointProblem(String endpoint) {
        String expected = "must be host:port, a.b.c.d:port or [ipv6]:port";
        if (endpoint.length() > 261) {
            return "is too long";
        }
        String host;
        String port;
        if (endpoint.startsWith("[")) {
            int close = endpoint.indexOf("]:");
            if (close < 0) {
                return expected;
            }
            host = endpoint.substring(1, close);
            port = endpoint.substring(close + 2);
            try {
                if (IpAddress.parse(host).family() != 6) {
                    return expected;
                }
            } catch (IllegalArgumentException ex) {
                return "has an invalid IPv6 address in brackets";
            }
        } else {
            int colon = endpoint.lastIndexOf(':');
            if (colon < 0 || endpoint.indexOf(':') != colon) {
                return expected + " (IPv6 addresses need brackets)";
            }
            host = endpoint.substring(0, colon);
            port = endpoint.substring(colon + 1);
            if (!HOSTNAME.matcher(host).matches()) {
                return expected;
            }
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return "has an invalid port: expected 1-65535";
        }
        return null;
    }
}
