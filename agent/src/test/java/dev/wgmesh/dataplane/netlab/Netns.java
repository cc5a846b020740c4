package dev.wgmesh.dataplane.netlab;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A network namespace created by a {@link NetLab}; commands run inside it through {@code ip netns exec}. */
public final class Netns {
    private final String name;

    Netns(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The bind-mounted namespace file, for {@code setns(2)}. */
    public Path path() {
        return Path.of("/var/run/netns", name);
    }

    /** Prefixes {@code command} with {@code ip netns exec NAME}. */
    public List<String> wrap(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    public Cmd.Result exec(String... command) {
        return Cmd.run(Cmd.DEFAULT_TIMEOUT, wrap(Arrays.asList(command)), null);
    }

    public Cmd.Result exec(Duration timeout, String... command) {
        return Cmd.run(timeout, wrap(Arrays.asList(command)), null);
    }

    /** Runs {@code command} in the namespace and fails with its output when it exits non-zero. */
    public String ok(String... command) {
        return exec(command).orThrow().out();
    }

    /** Runs a shell snippet ({@code sh -c}) in the namespace. */
    public Cmd.Result sh(Duration timeout, String script) {
        return Cmd.run(timeout, wrap(List.of("sh", "-c", script)), null);
    }

    /** UDP datagrams dropped in this namespace because a socket's receive buffer was full (IPv4 + IPv6). */
    public long udpReceiveBufferErrors() {
        long sum = 0;
        for (String line : ok("nstat", "-asz", "UdpRcvbufErrors", "Udp6RcvbufErrors")
                .lines()
                .toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].endsWith("RcvbufErrors")) {
                sum += Long.parseLong(f[1]);
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        return name;
    }
}
