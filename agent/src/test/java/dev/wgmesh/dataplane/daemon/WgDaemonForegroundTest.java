package dev.wgmesh.dataplane.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.DeviceConfigurator;
import dev.wgmesh.dataplane.linux.ThreadNetns;
import dev.wgmesh.dataplane.netlab.Cmd;
import dev.wgmesh.dataplane.netlab.NetLab;
import dev.wgmesh.dataplane.netlab.Netns;
import dev.wgmesh.dataplane.uapi.FakeDevice;
import dev.wgmesh.dataplane.uapi.UapiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon's lifecycle in a throwaway namespace, with an in-memory configurator as the data plane: it creates the
 * interface and the UAPI socket, and exits cleanly (removing the socket) when the interface or the socket file is
 * deleted.
 */
@Timeout(60)
class WgDaemonForegroundTest {
    NetLab lab;
    Netns ns;
    String ifname;
    Path socket;
    final AtomicBoolean dataPlaneClosed = new AtomicBoolean();

    @BeforeEach
    void setUp() {
        lab = NetLab.create();
        ns = lab.namespace("daemon");
        ifname = lab.ifname("wgd");
        socket = UapiServer.DEFAULT_DIRECTORY.resolve(ifname + ".sock");
        lab.removeOnClose(socket);
    }

    @AfterEach
    void tearDown() {
        lab.close();
    }

    private DataPlane.Factory fakeFactory() {
        FakeDevice device = new FakeDevice();
        return (tun, udp) -> new DataPlane() {
            @Override
            public DeviceConfigurator configurator() {
                return device;
            }

            @Override
            public void close() {
                dataPlaneClosed.set(true);
            }
        };
    }

    private CompletableFuture<Integer> runInNamespace() {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                ThreadNetns.enterCurrentThread(ns.path());
                exit.complete(WgDaemon.run(
                        new String[] {"-f", ifname}, Map.of(), fakeFactory(), UapiServer.DEFAULT_DIRECTORY));
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            }
        });
        NetLab.awaitFile(socket, Duration.ofSeconds(10), null);
        // The socket file exists once bound, before the daemon has finished starting (and watches the file): wait
        // until it answers wg(8), so a test that deletes the file does not race the start-up (which then fails, as
        // wireguard-go's does).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Cmd.run(List.of("wg", "show", ifname)).exit() != 0) {
            if (System.nanoTime() > deadline || exit.isDone()) {
                throw new AssertionError("the daemon did not answer wg show " + ifname + " (exit " + exit + ")");
            }
            NetLab.sleep(20);
        }
        return exit;
    }

    @Test
    void exitsCleanlyWhenTheInterfaceIsDeleted() throws Exception {
        CompletableFuture<Integer> exit = runInNamespace();
        assertThat(ns.ok("ip", "link", "show", ifname)).contains(ifname);
        assertThat(Cmd.run(List.of("wg", "show", ifname)).orThrow().out()).contains("interface: " + ifname);
        ns.ok("ip", "link", "del", ifname);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(socket).doesNotExist();
        assertThat(dataPlaneClosed).isTrue();
    }

    @Test
    void exitsCleanlyWhenTheSocketFileIsDeleted() throws Exception {
        CompletableFuture<Integer> exit = runInNamespace();
        Files.delete(socket);
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        // the interface goes away with the daemon's TUN descriptor
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ns.exec("ip", "link", "show", ifname).exit() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ns.exec("ip", "link", "show", ifname).exit()).isNotZero();
    }

    @Test
    void optionsFollowWireguardGo() {
        assertThat(DaemonOptions.parse(List.of("wg0"), Map.of()).foreground()).isFalse();
        assertThat(DaemonOptions.parse(List.of("--foreground", "wg0"), Map.of()).foreground())
                .isTrue();
        assertThat(DaemonOptions.parse(List.of("wg0"), Map.of("WG_PROCESS_FOREGROUND", "1"))
                        .foreground())
                .isTrue();
        assertThat(DaemonOptions.parse(List.of("wg0"), Map.of("LOG_LEVEL", "verbose"))
                        .logLevel())
                .isEqualTo(java.util.logging.Level.FINE);
        assertThat(DaemonOptions.parse(List.of("wg0"), Map.of("LOG_LEVEL", "silent"))
                        .logLevel())
                .isEqualTo(java.util.logging.Level.OFF);
        assertThat(DaemonOptions.parse(List.of("wg0"), Map.of("LOG_LEVEL", "loud"))
                        .logLevel())
                .isEqualTo(java.util.logging.Level.SEVERE);
    }

    @Test
    void rejectsABadCommandLine() {
        assertThat(WgDaemon.run(new String[] {}, Map.of(), fakeFactory(), UapiServer.DEFAULT_DIRECTORY))
                .isEqualTo(1);
        assertThat(WgDaemon.run(new String[] {"-x", "wg0"}, Map.of(), fakeFactory(), UapiServer.DEFAULT_DIRECTORY))
                .isEqualTo(1);
        assertThat(WgDaemon.run(new String[] {"-f", "a/b"}, Map.of(), fakeFactory(), UapiServer.DEFAULT_DIRECTORY))
                .isEqualTo(1);
        assertThat(WgDaemon.run(
                        new String[] {"-f", "a-name-longer-than-15"},
                        Map.of(),
                        fakeFactory(),
                        UapiServer.DEFAULT_DIRECTORY))
                .isEqualTo(1);
    }
}
