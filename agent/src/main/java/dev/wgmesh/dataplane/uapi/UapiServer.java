package dev.wgmesh.dataplane.uapi;

import dev.wgmesh.dataplane.config.DeviceConfigurator;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The UAPI endpoint {@code /var/run/wireguard/<ifname>.sock} that wg(8) and wg-quick(8) talk to.
 *
 * <p>The socket file is created with mode 0700 (wireguard-go binds under umask 077): it is bound inside a private
 * 0700 directory, given its mode there and only then renamed into place, so it is never reachable with wider
 * permissions. A stale socket left by a dead daemon is replaced; a live one (a connect succeeds) is an error.
 *
 * <p>Threads: one platform thread accepts; each connection is served on its own virtual thread. Operations are
 * made atomic by the {@link DeviceConfigurator}, not here.
 */
public final class UapiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UapiServer.class.getName());
    public static final Path DEFAULT_DIRECTORY = Path.of("/var/run/wireguard");

    private final Path socketPath;
    private final ServerSocketChannel server;
    private final Object fileKey;
    private final DeviceConfigurator device;
    private final Thread acceptor;
    private volatile boolean closed;

    private UapiServer(Path socketPath, ServerSocketChannel server, DeviceConfigurator device) throws IOException {
        this.socketPath = socketPath;
        this.server = server;
        this.device = device;
        this.fileKey =
                Files.readAttributes(socketPath, BasicFileAttributes.class).fileKey();
        this.acceptor = Thread.ofPlatform()
                .daemon()
                .name("uapi-" + socketPath.getFileName())
                .unstarted(this::acceptLoop);
    }

    /** Binds {@code <directory>/<ifname>.sock} and starts serving. */
    public static UapiServer start(Path directory, String ifname, DeviceConfigurator device) throws IOException {
        if (ifname.isEmpty() || ifname.contains("/") || ifname.startsWith(".")) {
            throw new IllegalArgumentException("invalid interface name");
        }
        Files.createDirectories(directory);
        Path socketPath = directory.resolve(ifname + ".sock");
        removeStale(socketPath);
        Path privateDir = Files.createTempDirectory(
                directory,
                "." + ifname + "-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            Path tmp = privateDir.resolve("s");
            server.bind(UnixDomainSocketAddress.of(tmp));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
            Files.move(tmp, socketPath, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        } finally {
            Files.deleteIfExists(privateDir.resolve("s"));
            Files.deleteIfExists(privateDir);
        }
        UapiServer s = new UapiServer(socketPath, server, device);
        s.acceptor.start();
        return s;
    }

    private static void removeStale(Path socketPath) throws IOException {
        if (!Files.exists(socketPath)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
            throw new IOException("UAPI socket " + socketPath + " is in use by another process");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("in use by another")) {
                throw e;
            }
            Files.deleteIfExists(socketPath); // nobody listening: left over from a dead daemon
        }
    }

    public Path socketPath() {
        return socketPath;
    }

    /** False once the socket file was deleted or replaced; a daemon exits then (xplatform: "die gracefully"). */
    public boolean socketFileIntact() {
        try {
            return fileKey.equals(
                    Files.readAttributes(socketPath, BasicFileAttributes.class).fileKey());
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "UAPI accept failed", e);
                return;
            }
            Thread.ofVirtual().name("uapi-conn").start(() -> serve(ch));
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            new UapiConnection(device, Channels.newInputStream(ch), Channels.newOutputStream(ch)).serve();
        } catch (IOException e) {
            LOG.log(Level.FINE, "UAPI connection ended: {0}", e.getMessage());
        }
    }

    /** Stops accepting and removes the socket file (only if it is still ours). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a listening socket does not fail in a way we could act on
        }
        if (socketFileIntact()) {
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not remove " + socketPath, e);
            }
        }
    }
}
