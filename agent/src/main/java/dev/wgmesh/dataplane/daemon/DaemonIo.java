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
 *       DataPathMode#QUEUES_ENV} of each (default: one per core);
 *   <li>the other modes: one socket, and a TUN of {@value #RINGS_ENV} queues (default {@value #DEFAULT_RINGS}) that
 *       the one TUN reader reads in turn, so a one-way flood fills a kernel ring of its own rather than the one the
 *       flows that answer back use ({@link LinuxTunQueues}); {@code 1} gives the single ring of wireguard-go;
 *   <li>{@value #OFFLOAD_ENV} ({@code on} by default, {@code off} to disable): TUN TSO/GRO through virtio headers and
 *       UDP GSO/GRO, each falling back by itself when the kernel refuses it.
 * </ul>
 *
 * <p>The agent opens its interface the same way, so it runs the data plane the drop-in daemon runs.
 *
 * @param primary the first TUN queue, which tells when the interface is removed
 */
public record DaemonIo(TunDevice tun, UdpTransport udp, LinuxTun primary) {
    static final String OFFLOAD_ENV = "WGMESH_OFFLOAD";
    static final String RINGS_ENV = "WGMESH_TUN_RINGS";
    /**
     * Sixteen rings. A flow that has answered is moved off a flooded ring ({@code RingHeat}), but the kernel places a
     * flow's first packets by its own hash, so a new flow (a ping's first request, a SYN) lands on a flood's ring with
     * probability 1/rings and may be dropped there until one of its packets gets through. An empty ring costs the
     * reader one non-blocking read per batch (measured: no throughput change from 8 to 16 rings).
     */
    static final int DEFAULT_RINGS = 16;

    /**
     * Creates the TUN interface {@code ifname} (in the calling thread's network namespace) and an unbound UDP
     * transport, shaped by {@code env}.
     *
     * @throws IllegalArgumentException when a setting in {@code env} is invalid (nothing is opened then)
     */
    public static DaemonIo open(String ifname, Map<String, String> env) throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        DataPathMode mode = DataPathMode.parse(DataPathMode.configured(env), cores);
        boolean offload = parseOffload(env.get(OFFLOAD_ENV));
        LinuxTun.Options tunOptions = offload ? LinuxTun.Options.OFFLOADED : LinuxTun.Options.DEFAULT;
        LinuxUdp.Options udpOptions = offload ? LinuxUdp.Options.DEFAULT : LinuxUdp.Options.PLAIN;
        int rings = parseRings(env.get(RINGS_ENV)); // checked in every mode, before anything is opened
        if (mode == DataPathMode.PER_FLOW) {
            int queues = DataPathMode.parseQueues(env.get(DataPathMode.QUEUES_ENV), cores);
            LinuxTunQueues tun = LinuxTunQueues.open(ifname, tunOptions, queues);
            return new DaemonIo(tun, new LinuxUdpGroup(udpOptions, queues), tun.primary());
        }
        if (rings > 1) {
            LinuxTunQueues tun = LinuxTunQueues.open(ifname, tunOptions, rings);
            return new DaemonIo(tun, new LinuxUdp(udpOptions), tun.primary());
        }
        LinuxTun tun = LinuxTun.open(ifname, tunOptions);
        return new DaemonIo(tun, new LinuxUdp(udpOptions), tun);
    }

    /**
     * {@value #RINGS_ENV}: unset or empty gives {@value #DEFAULT_RINGS}.
     *
     * @throws IllegalArgumentException unless a number from 1 to 64
     */
    static int parseRings(String value) {
        return DataPathMode.parseQueueCount(RINGS_ENV, value, DEFAULT_RINGS);
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

    /** Closes the UDP transport and the TUN (every queue). */
    public void close() throws IOException {
        udp.close();
        tun.close();
    }
}
