package dev.wgmesh.controller.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyLoaderTest {
    @TempDir
    Path dir;

    @Test
    void generatesAnOwnerOnlyFileOnceAndReusesIt() throws Exception {
        Path data = dir.resolve("data");
        byte[] first = MasterKeyLoader.load("", data);
        Path file = data.resolve(MasterKeyLoader.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(first).hasSize(32);
        assertThat(MasterKeyLoader.load(null, data)).isEqualTo(first);
        try (var files = Files.list(data)) {
            assertThat(files).containsExactly(file); // no temporary file left behind
        }
    }

    @Test
    void configuredKeyWinsAndIsChecked() {
        byte[] key = new byte[32];
        key[0] = 7;
        assertThat(MasterKeyLoader.load(Base64.getEncoder().encodeToString(key), dir))
                .isEqualTo(key);
        assertThat(Files.exists(dir.resolve(MasterKeyLoader.FILE_NAME))).isFalse();
        assertThatThrownBy(() -> MasterKeyLoader.load(Base64.getEncoder().encodeToString(new byte[16]), dir))
                .hasMessageContaining("32 bytes")
                .hasMessageNotContaining(Base64.getEncoder().encodeToString(new byte[16]));
        assertThatThrownBy(() -> MasterKeyLoader.load("not base64!", dir)).hasMessageContaining("base64");
    }
}
