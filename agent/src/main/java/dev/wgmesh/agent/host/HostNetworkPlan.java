package dev.wgmesh.agent.host;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The difference between what the host has ({@link HostSnapshot}) and what the controller wants ({@link HostSettings}),
 * as the ordered list of commands that closes it. Pure: no I/O, so every case is unit-tested without root.
 *
 * <p>Ownership: routes are ours when they carry our protocol number; addresses are ours when they are in
 * {@code owned} (the record {@link HostNetwork} keeps in the state directory). Nothing else is ever removed: an
 * address an operator put on the interface stays, even when it is also one the controller wants (it then stays
 * theirs).
 *
 * <p>Order, chosen so every intermediate state is harmless and every step has an inverse for roll-back:
 * <ol>
 *   <li>MTU, then link up (the kernel drops routes of a down link, so routes come after "up");
 *   <li>remove our routes that are no longer wanted;
 *   <li>add missing addresses, then remove our addresses that are no longer wanted (see the comment in
 *       {@link #compute} for why adds come first), then add missing routes;
 *   <li>enable forwarding (never disabled automatically: other software on a router may depend on it).
 * </ol>
 * An empty plan means the host already matches: applying the same settings twice runs no change command.
 *
 * @param changes the commands to run, in order
 * @param owned the addresses that are ours once the plan has run
 * @param added the addresses this plan adds (recorded as ours before they are added, so a crash cannot orphan them)
 */
public record HostNetworkPlan(List<HostChange> changes, Set<HostAddress> owned, Set<HostAddress> added) {

    public HostNetworkPlan {
        changes = List.copyOf(changes);
        owned = Set.copyOf(owned);
        added = Set.copyOf(added);
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /**
     * @throws IllegalArgumentException when a wanted address clashes with one that is not ours (an IPv6 address
     *     present with another prefix length: the kernel would refuse the add)
     */
    public static HostNetworkPlan compute(
            String ifname, HostSettings want, HostSnapshot have, Set<HostAddress> ownedBefore) {
        List<HostChange> changes = new ArrayList<>();
        if (want.mtu() != 0 && want.mtu() != have.mtu()) {
            changes.add(new HostChange(
                    "set MTU " + want.mtu(),
                    List.of("ip", "link", "set", "dev", ifname, "mtu", Integer.toString(want.mtu())),
                    List.of("ip", "link", "set", "dev", ifname, "mtu", Integer.toString(have.mtu()))));
        }
        if (!have.up()) {
            changes.add(new HostChange(
                    "set link up",
                    List.of("ip", "link", "set", "dev", ifname, "up"),
                    List.of("ip", "link", "set", "dev", ifname, "down")));
        }

        Set<IpPrefix> wantedRoutes = new LinkedHashSet<>(want.routes());
        Set<IpPrefix> haveRoutes = new LinkedHashSet<>(have.ourRoutes());
        for (IpPrefix r : haveRoutes) {
            if (!wantedRoutes.contains(r)) {
                changes.add(new HostChange("remove route " + r, route("del", r, ifname), route("add", r, ifname)));
            }
        }

        Set<HostAddress> present = new LinkedHashSet<>(have.addresses());
        Set<HostAddress> wanted = new LinkedHashSet<>(want.addresses());
        Set<HostAddress> owned = new HashSet<>(ownedBefore);
        owned.retainAll(present); // forget records of addresses that are gone (removed by someone, or a crash)
        Set<HostAddress> removed = new LinkedHashSet<>();
        for (HostAddress a : present) {
            if (owned.contains(a) && !wanted.contains(a)) {
                removed.add(a);
            }
        }
        // New addresses go on before old ones come off: removing an interface's last IPv4 address makes the kernel
        // flush every IPv4 route through it (ours and the operator's). Only an IPv6 address whose prefix length
        // changes must come off first (the kernel keys IPv6 addresses by address alone).
        List<HostAddress> replacements = new ArrayList<>();
        Set<HostAddress> added = new LinkedHashSet<>();
        for (HostAddress a : wanted) {
            if (present.contains(a)) {
                continue;
            }
            boolean replacesOurs = false;
            for (HostAddress p : present) {
                if (a.isIpv6() && a.sameAddress(p)) {
                    if (!removed.contains(p)) {
                        throw new IllegalArgumentException("address " + a + " clashes with " + p + " on " + ifname
                                + ", which wgmesh did not add; remove it or change the configuration");
                    }
                    replacesOurs = true;
                }
            }
            if (replacesOurs) {
                replacements.add(a);
            } else {
                changes.add(new HostChange("add address " + a, address("add", a, ifname), address("del", a, ifname)));
            }
            added.add(a);
        }
        if (!have.promoteSecondaries() && removed.stream().anyMatch(a -> !a.isIpv6())) {
            // Without it, removing a primary IPv4 address also deletes the secondaries of its subnet (possibly the
            // one just added) and with them the routes. The switch is per interface: only our tunnel is affected. It
            // is not undone on roll-back, where it is just as needed (the undo removes the address added first).
            String key = "net/ipv4/conf/" + ifname + "/promote_secondaries";
            changes.add(new HostChange("enable " + key, List.of("sysctl", "-q", "-w", key + "=1"), List.of()));
        }
        for (HostAddress a : removed) {
            changes.add(new HostChange("remove address " + a, address("del", a, ifname), address("add", a, ifname)));
        }
        for (HostAddress a : replacements) {
            changes.add(new HostChange("add address " + a, address("add", a, ifname), address("del", a, ifname)));
        }
        owned.removeAll(removed);
        owned.addAll(added);

        for (IpPrefix r : wantedRoutes) {
            if (!haveRoutes.contains(r)) {
                changes.add(new HostChange("add route " + r, route("add", r, ifname), route("del", r, ifname)));
            }
        }

        if (want.forwardIpv4() && !have.forwardIpv4()) {
            changes.add(sysctl("net.ipv4.ip_forward"));
        }
        if (want.forwardIpv6() && !have.forwardIpv6()) {
            changes.add(sysctl("net.ipv6.conf.all.forwarding"));
        }
        return new HostNetworkPlan(changes, owned, added);
    }

    private static List<String> address(String verb, HostAddress a, String ifname) {
        List<String> argv =
                new ArrayList<>(List.of("ip", a.isIpv6() ? "-6" : "-4", "address", verb, a.toString(), "dev", ifname));
        if (a.isIpv6() && verb.equals("add")) {
            // Tunnel interfaces are point-to-point: duplicate address detection has nobody to ask and would only
            // leave the address "tentative" (unusable for bind) for a second.
            argv.add("nodad");
        }
        return argv;
    }

    private static List<String> route(String verb, IpPrefix r, String ifname) {
        return List.of(
                "ip",
                r.isIpv6() ? "-6" : "-4",
                "route",
                verb,
                r.toString(),
                "dev",
                ifname,
                "proto",
                Integer.toString(HostNetwork.ROUTE_PROTO));
    }

    private static HostChange sysctl(String key) {
        return new HostChange(
                "enable " + key, List.of("sysctl", "-q", "-w", key + "=1"), List.of("sysctl", "-q", "-w", key + "=0"));
    }
}
