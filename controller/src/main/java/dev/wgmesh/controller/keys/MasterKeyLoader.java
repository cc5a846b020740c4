package dev.wgmesh.controller.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the master key: {@code wgmesh.master-key} (base64 of 32 bytes) when set, else {@code <data-dir>/master.key},
 * generated on first start. The file is created atomically with mode 0600 (never world-readable, not even for an
 * instant), so two replicas starting together on a shared data directory agree on one key.
 *
 * <p>Replicas on different hosts must be given the same key through configuration: each would otherwise generate
 * its own and be unable to open the others' secrets.
 */
final class MasterKeyLoader {
    private static final Logger log = LoggerFactory.getLogger(MasterKeyLoader.class);
    static final String FILE_NAME = "master.key";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private MasterKeyLoader() {}

    static byte[] load(String configured, Path dataDir) {
        if (configured != null && !configured.isBlank()) {
            return decode(configured.strip(), "wgmesh.master-key");
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                createKeyFile(file);
            }
            warnIfReadableByOthers(file);
            return decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read or create the master key file " + file, ex);
        }
    }

    private static void createKeyFile(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        byte[] text = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            if (posix(file)) {
                FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(OWNER_ONLY);
                Path tmp = Files.createTempFile(file.getParent(), ".master", ".tmp", mode);
                Files.write(tmp, text, StandardOpenOption.TRUNCATE_EXISTING);
                try {
                    // hard link = atomic publish that fails if another replica created the file first (rename
                    // would silently replace theirs); then we use theirs
                    Files.createLink(file, tmp);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            } else {
                Files.write(file, text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            log.info("Generated a new master key in {} (back it up: without it stored secrets cannot be opened)", file);
        } catch (FileAlreadyExistsException ex) {
            log.debug("Master key file appeared concurrently; using it");
        }
    }

    private static void warnIfReadableByOthers(Path file) throws IOException {
        if (posix(file)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                log.warn(
                        "Master key file {} is accessible to others ({}); run: chmod 600 {}",
                        file,
                        PosixFilePermissions.toString(perms),
                        file);
            }
        }
    }

    private static boolean posix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static byte[] decode(String base64, String source) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException ex) {
            throw new IllegalStateException(source + " is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalStateException(source + " must decode to 32 bytes, not " + key.length);
        }
        return key;
    }
}
