package dev.wgmesh.dataplane.daemon;

import dev.wgmesh.dataplane.device.DataPathMode;
import dev.wgmesh.dataplane.io.TunDevice;
import dev.wgmesh.dataplane.io.UdpTransport;
import dev.wgmesh.dataplane.linux.LinuxTun;
import dev.wgmesh.dataplane.linux.LinuxTunQueues;
import dev.wgmesh.dataplane.linux.LinuxUdp;
import dev.wgmesh.dataplane.linux.LinuxUdpGroup;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * The TUN interface and UDP transport the daemon opens, shaped for the data path it will run:
 *
 * <ul>
 *   <li>{@value DataPathMode#ENV}{@code =per-flow}: a multi-queue TUN and as many SO_REUSEPORT sockets, {@value
 *       DataPathMode#QUEUES_ENV} of each (default: one per core); otherwise one TUN queue and one socket;
 *   <li>{@value #OFFLOAD_ENV} ({@code on} by default, {@code off} to disable): TUN TSO/GRO through virtio headers and
 *       UDP GSO/GRO, each falling back by itself when the kernel refuses it.
 * </ul>
 *
 * @param primary the first TUN queue, which tells when the interface is removed
 */
record DaemonIo(TunDevice tun, UdpTransport udp, LinuxTun primary) {
    static final String OFFLOAD_ENV = "WGMESH_OFFLOAD";

    static DaemonIo open(String ifname, Map<String, String> env) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        DataPathMode mode = DataPathMode.parse(DataPathMode.configured(env), cores);
        boolean offload = parseOffload(env.get(OFFLOAD_ENV));
        LinuxTun.Options tunOptions = offload ? LinuxTun.Options.OFFLOADED : LinuxTun.Options.DEFAULT;
        LinuxUdp.Options udpOptions = offload ? LinuxUdp.Options.DEFAULT : LinuxUdp.Options.PLAIN;
        if (mode == DataPathMode.PER_FLOW) {
            int queues = DataPathMode.parseQueues(env.get(DataPathMode.QUEUES_ENV), cores);
            LinuxTunQueues tun = LinuxTunQueues.open(ifname, tunOptions, queues);
            return new DaemonIo(tun, new LinuxUdpGroup(udpOptions, queues), tun.primary());
        }
        LinuxTun tun = LinuxTun.open(ifname, tunOptions);
        return new DaemonIo(tun, new LinuxUdp(udpOptions), tun);
    }

    /** {@code on}/{@code 1}/unset or {@code off}/{@code 0}. @throws IllegalArgumentException for anything else */
    static boolean parseOffload(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "", "on", "1", "true" -> true;
            case "off", "0", "false" -> false;
            default -> throw new IllegalArgumentException(OFFLOAD_ENV + " must be on or off, not '" + value + "'");
        };
    }

    void close() throws IOException {
        udp.close();
        tun.close();
    }
}
