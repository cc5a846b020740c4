package dev.wgmesh.dataplane.netlab;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * iperf3 through a tunnel: a foreground server owned by the {@link NetLab} (so close() stops it), and clients that
 * return the receiver's figures from iperf3's JSON report.
 *
 * <p>UDP runs use a 4 MiB socket buffer on both ends ({@code -w}, applied to the server's socket too): with the
 * default ~200 KiB a busy 2-core machine loses UDP in the iperf3 receiver itself even over loopback, which would
 * hide what the tunnel does.
 */
public final class Iperf {
    private Iperf() {}

    /** What the receiving side counted. {@code packets}/{@code lostPackets} are 0 for TCP. */
    public record Report(long bytes, double bitsPerSecond, long packets, long lostPackets) {
        public double lossPercent() {
            return packets == 0 ? 0 : 100.0 * lostPackets / packets;
        }
    }

    /** Starts {@code iperf3 -s} (both families, port 5201) in {@code ns} and waits until it listens. */
    public static Process server(NetLab lab, Netns ns, Path log) {
        Process p = lab.start(ns, List.of("iperf3", "-s"), log, Map.of());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (ns.exec("ss", "-Hltn", "sport = :5201").out().isBlank()) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("iperf3 server did not start in " + ns);
            }
            NetLab.sleep(50);
        }
        return p;
    }

    /** TCP, one stream, exactly {@code bytes} from client to server ({@code reverse}: server to client). */
    public static Report tcp(WgNode client, String server, long bytes, boolean reverse, Duration timeout) {
        List<String> args = new ArrayList<>(List.of("-n", Long.toString(bytes)));
        if (reverse) {
            args.add("-R");
        }
        JsonObject end = run(client, server, timeout, args);
        JsonObject received = end.getAsJsonObject("sum_received");
        return new Report(
                received.get("bytes").getAsLong(),
                received.get("bits_per_second").getAsDouble(),
                0,
                0);
    }

    /** UDP at {@code bitsPerSecond} in datagrams of {@code length} bytes until {@code bytes} are sent. */
    public static Report udp(
            WgNode client,
            String server,
            long bytes,
            long bitsPerSecond,
            int length,
            boolean reverse,
            Duration timeout) {
        List<String> args = new ArrayList<>(List.of(
                "-u",
                "-b",
                Long.toString(bitsPerSecond),
                "-l",
                Integer.toString(length),
                "-w",
                "4M",
                "-n",
                Long.toString(bytes)));
        if (reverse) {
            args.add("-R");
        }
        JsonObject end = run(client, server, timeout, args);
        JsonObject sum = end.getAsJsonObject("sum");
        JsonObject received = end.getAsJsonObject("sum_received");
        return new Report(
                received.get("bytes").getAsLong(),
                received.get("bits_per_second").getAsDouble(),
                sum.get("packets").getAsLong(),
                sum.get("lost_packets").getAsLong());
    }

    private static JsonObject run(WgNode client, String server, Duration timeout, List<String> extra) {
        List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", server, "-J", "--connect-timeout", "10000"));
        cmd.addAll(extra);
        Cmd.Result r = Cmd.run(timeout, client.ns.wrap(cmd), null);
        JsonObject report;
        try {
            report = JsonParser.parseString(r.out()).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalStateException("iperf3 gave no report (exit " + r.exit() + "): " + r.out() + r.err(), e);
        }
        if (report.has("error") || r.exit() != 0) {
            throw new IllegalStateException("iperf3 " + extra + " failed: "
                    + (report.has("error") ? report.get("error").getAsString() : r.err()));
        }
        return report.getAsJsonObject("end");
    }
}
