package dev.wgmesh.dataplane.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeysTest {

    @Test
    void base64AndHexRoundTrip() {
        byte[] k = Keys.generatePrivateKey();
        assertThat(Keys.fromBase64(Keys.toBase64(k))).isEqualTo(k);
        assertThat(Keys.fromHex(Keys.toHex(k))).isEqualTo(k);
        assertThat(Keys.toHex(k)).matches("[0-9a-f]{64}");
        assertThat(Keys.fromHex(Keys.toHex(k).toUpperCase())).isEqualTo(k);
    }

    @Test
    void badKeysAreRejectedWithoutEchoingThem() {
        String secretish = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        assertThatThrownBy(() -> Keys.fromBase64(secretish))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(secretish);
        assertThatThrownBy(() -> Keys.fromBase64("!".repeat(44))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.fromHex("zz".repeat(32))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.fromHex("00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Keys.fromBase64(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void wipeZeroesAndIsZeroDetectsIt() {
        byte[] k = Keys.generatePresharedKey();
        k[0] = 1;
        assertThat(Keys.isZero(k)).isFalse();
        Keys.wipe(k);
        assertThat(Keys.isZero(k)).isTrue();
        Keys.wipe(null);
    }

    @Test
    void constantTimeEquals() {
        byte[] a = {1, 2, 3, 4};
        assertThat(ConstantTime.equals(a, new byte[] {1, 2, 3, 4})).isTrue();
        assertThat(ConstantTime.equals(a, new byte[] {1, 2, 3, 5})).isFalse();
        assertThat(ConstantTime.equals(a, new byte[] {1, 2, 3})).isFalse();
        assertThat(ConstantTime.equals(a, 1, new byte[] {9, 2, 3}, 1, 2)).isTrue();
    }

    @Test
    void tai64nEncodingAndOrdering() {
        byte[] ts = new byte[12];
        Tai64n.write(Instant.ofEpochSecond(0, 0), ts, 0);
        assertThat(Hex.str(ts)).isEqualTo("400000000000000a00000000");
        byte[] later = new byte[12];
        Tai64n.write(Instant.ofEpochSecond(1, 500_000_000), later, 0);
        // Nanoseconds are whitened down to a multiple of 2^24.
        assertThat(Hex.str(later)).isEqualTo("400000000000000b" + String.format("%08x", 500_000_000 & ~0xffffff));
        assertThat(Tai64n.isAfter(later, 0, ts, 0)).isTrue();
        assertThat(Tai64n.isAfter(ts, 0, later, 0)).isFalse();
        assertThat(Tai64n.isAfter(ts, 0, ts, 0)).isFalse();
        byte[] bumped = ts.clone();
        Tai64n.increment(bumped, 0);
        assertThat(Tai64n.isAfter(bumped, 0, ts, 0)).isTrue();
        byte[] nearEnd = new byte[12];
        Tai64n.write(Instant.ofEpochSecond(5, 999_999_999), nearEnd, 0);
        byte[] wrapped = nearEnd.clone();
        Tai64n.increment(wrapped, 0);
        assertThat(Hex.str(wrapped)).isEqualTo("400000000000001000000000");
    }
}
