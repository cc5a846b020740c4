package dev.wgmesh.dataplane.daemon;

import com.sun.net.httpserver.HttpServer;
import dev.wgmesh.dataplane.device.Device;
import dev.wgmesh.dataplane.device.PrometheusText;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves the device's statistics as Prometheus text on {@code GET /metrics} ({@value #ENV}=host:port, off unless
 * set). The JDK's small HTTP server on one thread: scrapes are rare, and rendering reads counters without locks.
 */
final class MetricsServer implements AutoCloseable {
    /** Environment variable naming the listen address, e.g. {@code 127.0.0.1:9586}. */
    static final String ENV = "WGMESH_METRICS_LISTEN";

    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    static MetricsServer start(InetSocketAddress address, Device device, String iface) throws IOException {
        HttpServer server = HttpServer.create(address, 8);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] body = PrometheusText.render(device, iface).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        return new MetricsServer(server);
    }

    /** {@code host:port}, an IPv6 host in brackets, as a URL wants it. */
    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The bound address (port 0 resolved). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Parses {@code host:port} (IPv6 as {@code [addr]:port}); a literal address only, so no name lookup happens.
     *
     * @throws IllegalArgumentException naming the variable, for anything else
     */
    static InetSocketAddress parseAddress(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(ENV + " must be host:port, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV + ": invalid port in '" + value + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(ENV + ": port out of range in '" + value + "'");
        }
        byte[] addr;
        try {
            addr = dev.wgmesh.dataplane.config.IpPrefix.parseAddress(host);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(ENV + ": '" + host + "' is not an IP address");
        }
        try {
            return new InetSocketAddress(java.net.InetAddress.getByAddress(addr), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(ENV + ": '" + host + "' is not an IP address");
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
