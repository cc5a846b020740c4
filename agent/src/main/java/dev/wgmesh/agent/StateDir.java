package dev.wgmesh.agent;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's persistent state directory: its private key, its credential, and the last configuration it applied
 * (for fail-static restarts). Owner-only permissions (0700 directory, 0600 files).
 *
 * <p>Writes are atomic (temporary file, fsync, rename, directory fsync): after a crash a file holds either the old
 * or the new content, never a torn mix — a half-written configuration would break fail-static exactly when it is
 * needed.
 */
public final class StateDir {
    private static final Set<PosixFilePermission> DIR_PERMS = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_PERMS = PosixFilePermissions.fromString("rw-------");

    private final Path dir;

    private StateDir(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating if needed) the directory and tightens its permissions to 0700. */
    public static StateDir open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, DIR_PERMS);
        return new StateDir(dir);
    }

    public Path path() {
        return dir;
    }

    public Optional<byte[]> read(String name) throws IOException {
        Path file = dir.resolve(checkName(name));
        return Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
    }

    /** Atomically replaces {@code name} with {@code content}, readable by the owner only. */
    public void write(String name, byte[] content) throws IOException {
        Path target = dir.resolve(checkName(name));
        Path tmp =
                Files.createTempFile(dir, "." + name + ".", ".tmp", PosixFilePermissions.asFileAttribute(FILE_PERMS));
        try {
            try (var ch = Files.newByteChannel(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                var buf = java.nio.ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ((java.nio.channels.FileChannel) ch).force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException ex) {
                throw new IOException("state directory " + dir + " does not support atomic rename", ex);
            }
            fsyncDirectory();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public void delete(String name) throws IOException {
        Files.deleteIfExists(dir.resolve(checkName(name)));
    }

    private void fsyncDirectory() throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ex) {
            // Some file systems refuse to open a directory for fsync; the rename itself is still atomic.
        }
    }

    private static String checkName(String name) {
        if (name.isEmpty() || name.startsWith(".") || name.contains("/") || name.contains("\0")) {
            throw new IllegalArgumentException("invalid state file name");
        }
        return name;
    }
}
