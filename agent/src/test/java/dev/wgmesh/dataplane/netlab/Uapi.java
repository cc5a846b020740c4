package dev.wgmesh.dataplane.netlab;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One raw request on a device's UAPI socket (what wg(8) does underneath), for checks wg(8) cannot express: malformed
 * input. The reply is read up to the blank line that ends it; the whole exchange has a time limit.
 */
public final class Uapi {
    private Uapi() {}

    public static String request(String ifname, String transaction, Duration timeout) {
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> exchange(ifname, transaction));
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            reply.cancel(true);
            throw new IllegalStateException("no UAPI reply from " + ifname + " within " + timeout);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("UAPI request to " + ifname + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String exchange(String ifname, String transaction) {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(NetLab.uapiSocket(ifname)))) {
            ch.write(ByteBuffer.wrap(transaction.getBytes(StandardCharsets.UTF_8)));
            StringBuilder out = new StringBuilder();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            while (!(out.toString().contains("errno=") && out.toString().endsWith("\n\n"))) {
                buf.clear();
                if (ch.read(buf) < 0) {
                    break;
                }
                out.append(StandardCharsets.UTF_8.decode(buf.flip()));
            }
            return out.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The errno a reply ends with ({@code errno=-22} → -22). */
    public static int errno(String reply) {
        int i = reply.lastIndexOf("errno=");
        if (i < 0) {
            throw new IllegalStateException("no errno in UAPI reply: " + reply);
        }
        return Integer.parseInt(reply.substring(i + 6).trim());
    }

    /** A wg(8) base64 key as UAPI hex. */
    public static String hex(String base64Key) {
        return java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(base64Key.trim()));
    }
}
