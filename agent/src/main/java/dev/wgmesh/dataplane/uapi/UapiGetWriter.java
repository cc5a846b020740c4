package dev.wgmesh.dataplane.uapi;

import dev.wgmesh.dataplane.config.DeviceConfig;
import dev.wgmesh.dataplane.config.DeviceConfig.PeerConfig;
import dev.wgmesh.dataplane.config.IpPrefix;
import java.io.IOException;
import java.io.Writer;

/**
 * Renders a {@link DeviceConfig} as the body of a UAPI {@code get=1} reply, in wireguard-go's order:
 *
 * <pre>
 *   private_key=HEX        (only when set)
 *   listen_port=N          (only when non-zero)
 *   fwmark=N               (only when non-zero)
 *   for each peer:
 *     public_key=HEX, preshared_key=HEX (zeros when none), protocol_version=1, endpoint=... (when known),
 *     last_handshake_time_sec=S, last_handshake_time_nsec=NS, tx_bytes=N, rx_bytes=N,
 *     persistent_keepalive_interval=N, allowed_ip=PREFIX (one line each)
 * </pre>
 *
 * The caller appends {@code errno=0} and the empty line. Output goes straight to the (buffered) writer, so a reply
 * with 65,536 allowed IPs streams out instead of being built in memory.
 */
public final class UapiGetWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private UapiGetWriter() {}

    public static void write(DeviceConfig config, Writer out) throws IOException {
        if (config.privateKey() != null && !isZero(config.privateKey())) {
            key(out, "private_key", config.privateKey());
        }
        if (config.listenPort() != 0) {
            line(out, "listen_port", Integer.toString(config.listenPort()));
        }
        if (config.fwmark() != 0) {
            line(out, "fwmark", Integer.toUnsignedString(config.fwmark()));
        }
        for (PeerConfig p : config.peers()) {
            key(out, "public_key", p.publicKey());
            key(out, "preshared_key", p.presharedKey() == null ? new byte[32] : p.presharedKey());
            line(out, "protocol_version", "1");
            if (p.endpoint() != null) {
                line(out, "endpoint", p.endpoint());
            }
            long nanos = p.lastHandshakeEpochNanos();
            line(out, "last_handshake_time_sec", Long.toString(nanos / 1_000_000_000L));
            line(out, "last_handshake_time_nsec", Long.toString(nanos % 1_000_000_000L));
            line(out, "tx_bytes", Long.toUnsignedString(p.txBytes()));
            line(out, "rx_bytes", Long.toUnsignedString(p.rxBytes()));
            line(out, "persistent_keepalive_interval", Integer.toString(p.persistentKeepaliveSeconds()));
            for (IpPrefix prefix : p.allowedIps()) {
                line(out, "allowed_ip", prefix.toString());
            }
        }
    }

    private static boolean isZero(byte[] key) {
        int acc = 0;
        for (byte b : key) {
            acc |= b;
        }
        return acc == 0;
    }

    private static void key(Writer out, String name, byte[] key) throws IOException {
        out.write(name);
        out.write('=');
        for (byte b : key) {
            out.write(HEX[(b >> 4) & 0xf]);
            out.write(HEX[b & 0xf]);
        }
        out.write('\n');
    }

    private static void line(Writer out, String name, String value) throws IOException {
        out.write(name);
        out.write('=');
        out.write(value);
        out.write('\n');
    }
}
