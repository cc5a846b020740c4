package dev.wgmesh.controller.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class OpaqueSecretTest {
    private final OpaqueSecret secrets = new OpaqueSecret("wgm");

    @Test
    void carriesItsIdAndHasTheDocumentedShape() {
        UUID id = UUID.randomUUID();
        String s = secrets.generate(id);
        assertThat(s).matches("wgm_[0-9a-f]{32}_[A-Za-z0-9_-]{43}");
        assertThat(secrets.idOf(s)).hasValue(id);
        assertThat(secrets.generate(id)).isNotEqualTo(s);
    }

    @Test
    void hashMatchesOnlyTheExactSecret() {
        String s = secrets.generate(UUID.randomUUID());
        String hash = OpaqueSecret.sha256Hex(s);
        assertThat(hash).hasSize(64).doesNotContain(s.substring(37));
        assertThat(OpaqueSecret.matches(s, hash)).isTrue();
        char last = s.charAt(s.length() - 1);
        String tampered = s.substring(0, s.length() - 1) + (last == 'A' ? 'B' : 'A');
        assertThat(OpaqueSecret.matches(tampered, hash)).isFalse();
    }

    @Test
    void malformedInputIsEmptyNotAnException() {
        String good = secrets.generate(UUID.randomUUID());
        for (String bad : new String[] {
            null,
            "",
            "wgm_",
            good.substring(1),
            good + "x",
            "xyz" + good.substring(3),
            good.substring(0, 3) + "-" + good.substring(4),
            good.substring(0, 10) + "g" + good.substring(11),
            good.substring(0, 36) + "-" + good.substring(37),
            new OpaqueSecret("wgek").generate(UUID.randomUUID())
        }) {
            assertThat(secrets.idOf(bad)).as(String.valueOf(bad)).isEmpty();
        }
    }
}
