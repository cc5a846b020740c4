package dev.wgmesh.controller.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The reference tools as a test oracle: {@code wg-quick strip} parses a file, a userspace {@code wireguard-go}
 * interface in a throwaway network namespace accepts it through {@code wg setconf} and reads it back with
 * {@code wg showconf}. The namespace, the daemon and its UAPI socket are removed on close, also after a failure.
 */
final class WireGuardTools implements AutoCloseable {
    private final String namespace = "wgmt" + UUID.randomUUID().toString().substring(0, 8);
    private final String iface = "wgt" + UUID.randomUUID().toString().substring(0, 8);
    private final Path dir;
    private Process daemon;

    WireGuardTools(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        run(List.of("ip", "netns", "add", namespace));
        daemon = new ProcessBuilder("ip", "netns", "exec", namespace, "wireguard-go", "-f", iface)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("wireguard-go.log").toFile())
                .start();
        Path socket = Path.of("/var/run/wireguard", iface + ".sock");
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(socket)) {
            assertThat(daemon.isAlive()).as("wireguard-go exited: " + log()).isTrue();
            assertThat(System.nanoTime()).as("UAPI socket never appeared").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** {@code wg-quick strip}: parses the wg-quick file and leaves what {@code wg setconf} takes. */
    String strip(String config) throws IOException, InterruptedException {
        Path file = dir.resolve(iface + ".conf");
        Files.writeString(file, config, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return run(List.of("wg-quick", "strip", file.toString()));
    }

    /** Applies a stripped config to the interface and returns {@code wg showconf}. */
    String setconfAndShow(String stripped) throws IOException, InterruptedException {
        Path file = dir.resolve("stripped.conf");
        Files.writeString(file, stripped, StandardCharsets.US_ASCII);
        run(List.of("ip", "netns", "exec", namespace, "wg", "setconf", iface, file.toString()));
        return run(List.of("ip", "netns", "exec", namespace, "wg", "showconf", iface));
    }

    /** Sections of a wg config, each as key -> value, in file order. */
    static List<Map<String, String>> sections(String text) {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> cur = null;
        for (String line : text.lines().map(String::strip).toList()) {
            if (line.startsWith("[")) {
                cur = new LinkedHashMap<>();
                cur.put("section", line);
                out.add(cur);
            } else if (cur != null && line.contains("=") && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                cur.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return out;
    }

    private String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", cmd)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + " -> " + out).isZero();
        return out;
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("wireguard-go.log"));
        } catch (IOException ex) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws Exception {
        if (daemon != null) {
            daemon.destroy();
            if (!daemon.waitFor(5, TimeUnit.SECONDS)) {
                daemon.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        new ProcessBuilder("ip", "netns", "del", namespace).start().waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(Path.of("/var/run/wireguard", iface + ".sock"));
    }
}
