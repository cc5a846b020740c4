package dev.wgmesh.dataplane.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.device.Device;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TUN ring count and wake priority settings: defaults, ranges, and a clear refusal at start for anything else. */
class DaemonIoTest {

    @Test
    void ringsDefaultToSixteenAndTakeOneToSixtyFour() {
        assertThat(DaemonIo.parseRings(null)).isEqualTo(DaemonIo.DEFAULT_RINGS).isEqualTo(16);
        assertThat(DaemonIo.parseRings(" ")).isEqualTo(16);
        assertThat(DaemonIo.parseRings("1")).isEqualTo(1);
        assertThat(DaemonIo.parseRings(" 64 ")).isEqualTo(64);
    }

    @Test
    void badRingCountsAreRefusedBeforeAnythingOpens() {
        for (String bad : List.of("0", "65", "-1", "eight", "2.5")) {
            assertThatThrownBy(() -> DaemonIo.parseRings(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(DaemonIo.RINGS_ENV)
                    .hasMessageContaining("'" + bad + "'");
            assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of(DaemonIo.RINGS_ENV, bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(DaemonIo.RINGS_ENV);
        }
    }

    @Test
    void wakePriorityIsOnByDefaultAndTakesOnOrOffOnly() {
        assertThat(Device.parseWakePriority(null)).isTrue();
        assertThat(Device.parseWakePriority(" on ")).isTrue();
        assertThat(Device.parseWakePriority("off")).isFalse();
        for (String bad : List.of("yes", "0", "OFF!", "true")) {
            assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of(Device.WAKE_PRIORITY_ENV, bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Device.WAKE_PRIORITY_ENV)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void stallGuardIsOffByDefaultAndTakesOnOrOffOnly() {
        assertThat(Device.parseStallGuard(null)).isFalse();
        assertThat(Device.parseStallGuard("  ")).isFalse();
        assertThat(Device.parseStallGuard(" on ")).isTrue();
        assertThat(Device.parseStallGuard("off")).isFalse();
        for (String bad : List.of("yes", "1", "ON", "null")) {
            assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of(Device.STALL_GUARD_ENV, bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Device.STALL_GUARD_ENV)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void theExpressPathIsOnByDefaultAndTakesOnOrOffOnly() {
        assertThat(Device.parseExpress(null)).isTrue();
        assertThat(Device.parseExpress(" ")).isTrue();
        assertThat(Device.parseExpress("on")).isTrue();
        assertThat(Device.parseExpress(" off ")).isFalse();
        for (String bad : List.of("no", "0", "OFF", "true")) {
            assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of(Device.EXPRESS_ENV, bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Device.EXPRESS_ENV)
                    .hasMessageContaining("'" + bad + "'");
        }
    }

    @Test
    void aTypoInTheCipherEngineOptionStopsTheDaemonAtStart() {
        String before = System.getProperty(ChaChaPoly.ENGINE_PROPERTY);
        try {
            System.setProperty(ChaChaPoly.ENGINE_PROPERTY, "fast");
            assertThatThrownBy(() -> DaemonOptions.parse(List.of("wg0"), Map.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("wgmesh.aead must be split or jce, got 'fast'");
            System.setProperty(ChaChaPoly.ENGINE_PROPERTY, "jce");
            assertThat(DaemonOptions.parse(List.of("wg0"), Map.of()).interfaceName())
                    .isEqualTo("wg0");
        } finally {
            if (before == null) {
                System.clearProperty(ChaChaPoly.ENGINE_PROPERTY);
            } else {
                System.setProperty(ChaChaPoly.ENGINE_PROPERTY, before);
            }
        }
    }
}
