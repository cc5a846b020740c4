package dev.wgmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateDirTest {
    @TempDir
    Path tmp;

    @Test
    void writesAtomicallyWithOwnerOnlyPermissions() throws Exception {
        StateDir dir = StateDir.open(tmp.resolve("state"));
        dir.write("private.key", "first".getBytes(StandardCharsets.UTF_8));
        dir.write("private.key", "second".getBytes(StandardCharsets.UTF_8));
        assertThat(dir.read("private.key")).hasValueSatisfying(b -> assertThat(new String(b, StandardCharsets.UTF_8))
                .isEqualTo("second"));
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dir.path().resolve("private.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.path())))
                .isEqualTo("rwx------");
        try (var files = Files.list(dir.path())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("private.key");
        }
    }

    @Test
    void missingFileIsEmptyAndBadNamesAreRefused() throws Exception {
        StateDir dir = StateDir.open(tmp);
        assertThat(dir.read("nothing")).isEmpty();
        assertThatThrownBy(() -> dir.write("../escape", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dir.read(".hidden")).isInstanceOf(IllegalArgumentException.class);
    }
}
