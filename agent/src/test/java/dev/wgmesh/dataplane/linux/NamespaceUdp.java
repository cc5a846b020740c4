package dev.wgmesh.dataplane.linux;

import dev.wgmesh.dataplane.netlab.Netns;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.BooleanSupplier;

/** UDP traffic from a test namespace's own stack, routed into the TUN under test. */
final class NamespaceUdp {
    private NamespaceUdp() {}

    /**
     * {@code flows} sockets bound to {@code from}, ports {@code firstPort} up (0: any), one after the other, each
     * sending up to {@code packets} datagrams of 200 bytes to {@code to}:9; the sending stops early once {@code stop}
     * says so.
     */
    static void send(Netns ns, String from, int firstPort, int flows, int packets, String to, BooleanSupplier stop)
            throws Exception {
        ThreadNetns.call(ns.path(), () -> {
            byte[] payload = new byte[200];
            InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(to), 9);
            for (int f = 0; f < flows; f++) {
                int port = firstPort == 0 ? 0 : firstPort + f;
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, port))) {
                    for (int p = 0; p < packets && !stop.getAsBoolean(); p++) {
                        s.send(new DatagramPacket(payload, payload.length, target));
                    }
                }
            }
            return null;
        });
    }
}
