package dev.wgmesh.controller.network;

import dev.wgmesh.controller.common.FieldProblem;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.common.Names;
import dev.wgmesh.controller.ipam.Cidr;
import dev.wgmesh.controller.ipam.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A validated {@link NetworkRequest}: every problem is collected, then reported at once. */
record NetworkSpec(
        String name, Cidr ipv4Prefix, Cidr ipv6Prefix, int mtu, List<String> dnsServers, int persistentKeepalive) {
    static final int DEFAULT_MTU = 1420;
    static final int MAX_DNS = 8;
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

    static NetworkSpec validate(NetworkRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        if (!Names.valid(r.name())) {
            problems.add(new FieldProblem("name", Names.MESSAGE));
        }
        Cidr v4 = prefix(r.ipv4Prefix(), "ipv4Prefix", 4, 8, 30, true, problems);
        Cidr v6 = prefix(r.ipv6Prefix(), "ipv6Prefix", 6, 8, 126, false, problems);
        int mtu = r.mtu() == null ? DEFAULT_MTU : r.mtu();
        if (mtu < 1280 || mtu > 65535) {
            problems.add(new FieldProblem("mtu", "must be 1280-65535 (WireGuard needs IPv6's minimum of 1280)"));
        }
        int keepalive = r.persistentKeepalive() == null ? 0 : r.persistentKeepalive();
        if (keepalive < 0 || keepalive > 65535) {
            problems.add(new FieldProblem("persistentKeepalive", "must be 0 (off) to 65535 seconds"));
        }
        List<String> dns = r.dnsServers() == null ? List.of() : r.dnsServers();
        if (dns.size() > MAX_DNS) {
            problems.add(new FieldProblem("dnsServers", "at most " + MAX_DNS + " entries"));
        }
        for (int i = 0; i < dns.size(); i++) {
            String d = dns.get(i);
            if (d == null || !(isIp(d) || DOMAIN.matcher(d).matches())) {
                problems.add(new FieldProblem("dnsServers[" + i + "]", "must be an IP address or a search domain"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new NetworkSpec(r.name(), v4, v6, mtu, List.copyOf(dns), keepalive);
    }

    private static boolean isIp(String s) {
        try {
            IpAddress.parse(s);
            return true;
        } catch (IllegalArgumentException ex) {
            return false;
        }
    }

    private static Cidr prefix(
            String text, String field, int family, int min, int max, boolean required, List<FieldProblem> problems) {
        if (text == null || text.isBlank()) {
            if (required) {
                problems.add(new FieldProblem(field, "is required"));
            }
            return null;
        }
        try {
            Cidr c = Cidr.parse(text);
            if (c.family() != family) {
                problems.add(new FieldProblem(field, "must be an IPv" + family + " prefix"));
            } else if (c.length() < min || c.length() > max) {
                problems.add(new FieldProblem(field, "prefix length must be " + min + "-" + max));
            } else {
                return c;
            }
        } catch (IllegalArgumentException ex) {
            problems.add(new FieldProblem(field, ex.getMessage()));
        }
        return null;
    }
}
