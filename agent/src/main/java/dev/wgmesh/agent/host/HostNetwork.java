package dev.wgmesh.agent.host;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.proto.v1.InterfaceConfig;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Puts the host side of an {@link InterfaceConfig} on the tunnel interface: addresses, MTU, link up, routes to the
 * peers' site LANs through the tunnel, and IP forwarding when this agent routes a site LAN.
 *
 * <p>Why iproute2 ({@code ip -json}) rather than rtnetlink through FFM: these are a handful of operations per
 * configuration change, not a hot path; {@code ip} is on every Linux host, its JSON output is a stable interface,
 * its error messages are the ones operators know, and it lets us run the very same commands inside a test network
 * namespace. rtnetlink would mean writing and maintaining our own netlink message builder and parser for a few
 * milliseconds saved per revision.
 *
 * <p>Contract of {@link #apply}:
 * <ul>
 *   <li>everything is validated ({@link HostSettings#from}) before any command runs;
 *   <li>idempotent: when the host already matches, only read commands run;
 *   <li>ownership: only addresses this class added (recorded in the state directory) and routes carrying
 *       {@link #ROUTE_PROTO} are ever removed; an operator's own addresses and routes are never touched;
 *   <li>all or nothing: when a command fails midway, the changes already made are undone in reverse order, then
 *       the error is thrown.
 * </ul>
 *
 * <p>Not thread-safe: one caller (the sync loop) applies revisions one after another.
 */
public final class HostNetwork {
    /**
     * The routing protocol number our routes carry ({@code ip route ... proto 87}): marks them as ours, so we find
     * and remove exactly our own. Unassigned in Linux's rtnetlink.h and iproute2's rt_protos; 87 is ASCII 'W'.
     */
    public static final int ROUTE_PROTO = 87;

    private static final Logger LOG = System.getLogger(HostNetwork.class.getName());

    private final String ifname;
    private final Command command;
    private final StateDir state;
    private final String ownedFile;

    public HostNetwork(String ifname, Command command, StateDir state) {
        if (ifname.isEmpty() || ifname.length() > 15 || !ifname.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("invalid interface name");
        }
        this.ifname = ifname;
        this.command = command;
        this.state = state;
        this.ownedFile = "host-addresses." + ifname;
    }

    /**
     * Makes the host match {@code config}; returns the plan that was run (empty when nothing had to change).
     *
     * @throws IllegalArgumentException the configuration is invalid; nothing was changed
     * @throws HostNetworkException reading the host or a change failed; what this call changed was rolled back
     */
    public HostNetworkPlan apply(InterfaceConfig config) throws HostNetworkException {
        HostSettings want = HostSettings.from(config);
        HostSnapshot have = snapshot();
        Set<HostAddress> owned = loadOwned();
        HostNetworkPlan plan = HostNetworkPlan.compute(ifname, want, have, owned);
        if (plan.isEmpty()) {
            if (!plan.owned().equals(owned)) {
                saveOwned(plan.owned());
            }
            return plan;
        }
        // Intent first: an address recorded but never added is forgotten on the next apply; an address added but
        // never recorded would be an orphan we could not remove.
        Set<HostAddress> intent = new LinkedHashSet<>(owned);
        intent.addAll(plan.added());
        saveOwned(intent);
        List<HostChange> done = new ArrayList<>();
        run(plan.changes(), done);
        // Changes have side effects in the kernel (removing the last IPv4 address flushes the interface's IPv4
        // routes), so look again and close what is still open; one more pass settles it.
        HostNetworkPlan second;
        try {
            second = HostNetworkPlan.compute(ifname, want, snapshot(), plan.owned());
        } catch (HostNetworkException | IllegalArgumentException ex) {
            HostNetworkException failure = new HostNetworkException("could not re-read " + ifname, ex);
            rollBack(done, failure);
            throw failure;
        }
        Set<HostAddress> added = new LinkedHashSet<>(plan.added());
        if (!second.isEmpty()) {
            added.addAll(second.added());
            intent.addAll(second.added());
            saveOwnedOrRollBack(intent, done);
            run(second.changes(), done);
        }
        saveOwnedOrRollBack(second.owned(), done);
        LOG.log(Level.INFO, "{0}: applied {1} host network change(s)", ifname, done.size());
        return new HostNetworkPlan(done, second.owned(), added);
    }

    private void saveOwnedOrRollBack(Set<HostAddress> owned, List<HostChange> done) throws HostNetworkException {
        try {
            saveOwned(owned);
        } catch (HostNetworkException ex) {
            rollBack(done, ex);
            throw ex;
        }
    }

    /** Runs {@code changes} in order, appending each to {@code done}; on a failure undoes all of {@code done}. */
    private void run(List<HostChange> changes, List<HostChange> done) throws HostNetworkException {
        for (HostChange change : changes) {
            try {
                command.run(change.command());
                done.add(change);
            } catch (CommandException ex) {
                HostNetworkException failure =
                        new HostNetworkException("could not " + change.description() + " on " + ifname, ex);
                rollBack(done, failure);
                throw failure;
            }
        }
    }

    /** Reads the interface's addresses, MTU, state, our routes and the forwarding switches. */
    public HostSnapshot snapshot() throws HostNetworkException {
        String link = read(List.of("ip", "-json", "address", "show", "dev", ifname));
        List<IpPrefix> routes = new ArrayList<>(IpJson.routes(read(ourRoutes("-4")), false));
        boolean v4 = sysctl("net.ipv4.ip_forward");
        boolean v6 = false;
        // A host booted with ipv6.disable=1 has no IPv6 sysctls and no IPv6 routing table: it then has no IPv6
        // state of ours either, and an IPv4-only configuration must still apply. (IPv6 settings then fail with
        // the kernel's own clear error when added.)
        boolean ipv6 = true;
        try {
            v6 = command.run(List.of("sysctl", "-n", "net.ipv6.conf.all.forwarding"))
                    .strip()
                    .equals("1");
        } catch (CommandException ex) {
            ipv6 = false;
        }
        if (ipv6) {
            routes.addAll(IpJson.routes(read(ourRoutes("-6")), true));
        }
        boolean promote = sysctl("net/ipv4/conf/" + ifname + "/promote_secondaries");
        return IpJson.link(link, ifname, routes, v4, v6, promote);
    }

    private List<String> ourRoutes(String family) {
        return List.of(
                "ip",
                "-json",
                family,
                "route",
                "show",
                "table",
                "main",
                "dev",
                ifname,
                "proto",
                Integer.toString(ROUTE_PROTO));
    }

    private boolean sysctl(String key) throws HostNetworkException {
        return read(List.of("sysctl", "-n", key)).strip().equals("1");
    }

    private String read(List<String> argv) throws HostNetworkException {
        try {
            return command.run(argv);
        } catch (CommandException ex) {
            throw new HostNetworkException("could not read the state of " + ifname, ex);
        }
    }

    private void rollBack(List<HostChange> done, HostNetworkException failure) {
        for (int i = done.size() - 1; i >= 0; i--) {
            HostChange change = done.get(i);
            if (change.undo().isEmpty()) {
                continue;
            }
            try {
                command.run(change.undo());
            } catch (CommandException ex) {
                failure.addSuppressed(
                        new HostNetworkException("roll-back of '" + change.description() + "' failed", ex));
            }
        }
        LOG.log(Level.WARNING, "{0}: {1}; rolled back {2} change(s)", ifname, failure.getMessage(), done.size());
    }

    Set<HostAddress> loadOwned() throws HostNetworkException {
        try {
            Set<HostAddress> out = new LinkedHashSet<>();
            var bytes = state.read(ownedFile);
            if (bytes.isEmpty()) {
                return out;
            }
            for (String line : new String(bytes.get(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(HostAddress.parse(line));
                }
            }
            return out;
        } catch (IOException | IllegalArgumentException ex) {
            throw new HostNetworkException("could not read " + ownedFile + " in the state directory", ex);
        }
    }

    private void saveOwned(Set<HostAddress> owned) throws HostNetworkException {
        StringBuilder sb = new StringBuilder();
        owned.forEach(a -> sb.append(a).append('\n'));
        try {
            state.write(ownedFile, sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new HostNetworkException("could not record our addresses in the state directory", ex);
        }
    }

    /** Parsing of {@code ip -json} output; package-private for the tests. */
    static final class IpJson {
        private IpJson() {}

        static HostSnapshot link(
                String json, String ifname, List<IpPrefix> routes, boolean v4, boolean v6, boolean promote)
                throws HostNetworkException {
            try {
                JsonArray links = JsonParser.parseString(json).getAsJsonArray();
                if (links.isEmpty()) {
                    throw new HostNetworkException("interface " + ifname + " does not exist");
                }
                JsonObject l = links.get(0).getAsJsonObject();
                boolean up = false;
                for (JsonElement f : l.getAsJsonArray("flags")) {
                    up |= f.getAsString().equals("UP");
                }
                List<HostAddress> addresses = new ArrayList<>();
                JsonArray info = l.has("addr_info") ? l.getAsJsonArray("addr_info") : new JsonArray();
                for (JsonElement e : info) {
                    JsonObject a = e.getAsJsonObject();
                    if (a.has("local") && a.has("prefixlen")) {
                        addresses.add(HostAddress.parse(a.get("local").getAsString() + "/"
                                + a.get("prefixlen").getAsInt()));
                    }
                }
                return new HostSnapshot(addresses, l.get("mtu").getAsInt(), up, routes, v4, v6, promote);
            } catch (JsonParseException
                    | IllegalStateException
                    | IllegalArgumentException
                    | NullPointerException
                    | UnsupportedOperationException ex) {
                throw new HostNetworkException("unexpected output from 'ip -json address show dev " + ifname + "'", ex);
            }
        }

        static List<IpPrefix> routes(String json, boolean v6) throws HostNetworkException {
            try {
                List<IpPrefix> out = new ArrayList<>();
                if (json.isBlank()) {
                    return out;
                }
                for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
                    String dst = e.getAsJsonObject().get("dst").getAsString();
                    out.add(dst.equals("default") ? IpPrefix.parse(v6 ? "::/0" : "0.0.0.0/0") : IpPrefix.parse(dst));
                }
                return out;
            } catch (JsonParseException
                    | IllegalStateException
                    | IllegalArgumentException
                    | NullPointerException
                    | UnsupportedOperationException ex) {
                throw new HostNetworkException("unexpected output from 'ip -json route show'", ex);
            }
        }
    }
}
