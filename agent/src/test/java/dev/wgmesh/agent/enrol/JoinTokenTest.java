package dev.wgmesh.agent.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JoinTokenTest {
    private static final String HEX = "ab".repeat(32);

    @Test
    void parsesSecretDotPin() {
        JoinToken t = JoinToken.parse("wgek_s3cr3t." + HEX, null);
        assertThat(t.secret()).isEqualTo("wgek_s3cr3t");
        assertThat(t.caFingerprint()).isEqualTo("sha256:" + HEX);
        assertThat(t.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void bareSecretNeedsTheFingerprintFlag() {
        assertThatThrownBy(() -> JoinToken.parse("wgek_s3cr3t", null)).hasMessageContaining("--ca-fingerprint");
        assertThat(JoinToken.parse("wgek_s3cr3t", "sha256:" + HEX.toUpperCase()).caFingerprint())
                .isEqualTo("sha256:" + HEX);
    }

    @Test
    void rejectsMalformedPinsWithoutEchoingTheSecret() {
        assertThatThrownBy(() -> JoinToken.parse("wgek_s3cr3t.abc", null))
                .hasMessageContaining("64 hex")
                .message()
                .doesNotContain("s3cr3t");
        assertThatThrownBy(() -> JoinToken.parse("wgek_s3cr3t." + HEX, "sha256:" + "cd".repeat(32)))
                .hasMessageContaining("contradicts");
        assertThatThrownBy(() -> JoinToken.parse(null, null)).hasMessageContaining("--enrol-key");
        assertThatThrownBy(() -> JoinToken.parse("." + HEX, null)).hasMessageContaining("secret");
    }
}
