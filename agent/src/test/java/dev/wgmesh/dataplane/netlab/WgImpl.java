package dev.wgmesh.dataplane.netlab;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/** A userspace WireGuard implementation a test can start: the reference (wireguard-go) or ours (WgDaemon). */
public enum WgImpl {
    WIREGUARD_GO {
        @Override
        List<String> command(String ifname) {
            return List.of("wireguard-go", "-f", ifname);
        }
    },
    WGMESH {
        /** Our daemon in the foreground, on the test JVM's own classpath (no packaging needed). */
        @Override
        List<String> command(String ifname) {
            List<String> cmd = new ArrayList<>();
            cmd.add(ProcessHandle.current().info().command().orElseThrow());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("--sun-misc-unsafe-memory-access=allow");
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("-Xmx") || arg.startsWith("-XX:+Use")) {
                    cmd.add(arg);
                }
            }
            String mode = System.getProperty("wgmesh.datapath"); // run the interop suites per data path mode
            if (mode != null) {
                cmd.add("-Dwgmesh.datapath=" + mode);
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.wgmesh.dataplane.daemon.WgDaemon");
            cmd.add("-f");
            cmd.add(ifname);
            return cmd;
        }
    };

    abstract List<String> command(String ifname);
}
