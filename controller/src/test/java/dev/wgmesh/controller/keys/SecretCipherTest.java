package dev.wgmesh.controller.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretCipherTest {
    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private final SecretCipher cipher = new SecretCipher(key());

    @Test
    void roundTripsAndUsesFreshNonces() {
        byte[] plain = "secret".getBytes(StandardCharsets.UTF_8);
        String a = cipher.seal(plain, "ctx");
        String b = cipher.seal(plain, "ctx");
        assertThat(a).isNotEqualTo(b).startsWith("v1:").doesNotContain("secret");
        assertThat(cipher.open(a, "ctx")).isEqualTo(plain);
        assertThat(cipher.open(b, "ctx")).isEqualTo(plain);
    }

    @Test
    void everyFlippedBitIsDetected() {
        String sealed = cipher.seal("0123456789abcdef".getBytes(StandardCharsets.UTF_8), "ctx");
        byte[] raw = Base64.getDecoder().decode(sealed.substring(3));
        for (int i = 0; i < raw.length * 8; i++) {
            byte[] t = raw.clone();
            t[i / 8] ^= (byte) (1 << (i % 8));
            String tampered = "v1:" + Base64.getEncoder().encodeToString(t);
            assertThatThrownBy(() -> cipher.open(tampered, "ctx"))
                    .isInstanceOf(SecretCipher.SecretUnreadableException.class);
        }
    }

    @Test
    void contextAndKeyAreBound() {
        String sealed = cipher.seal(new byte[] {1, 2, 3}, "peer-private-key:a");
        assertThatThrownBy(() -> cipher.open(sealed, "peer-private-key:b"))
                .isInstanceOf(SecretCipher.SecretUnreadableException.class);
        assertThatThrownBy(() -> new SecretCipher(key()).open(sealed, "peer-private-key:a"))
                .isInstanceOf(SecretCipher.SecretUnreadableException.class);
        assertThatThrownBy(() -> cipher.open("v1:AAAA", "x"))
                .isInstanceOf(SecretCipher.SecretUnreadableException.class);
        assertThatThrownBy(() -> cipher.open("plain", "x")).isInstanceOf(SecretCipher.SecretUnreadableException.class);
    }

    /** Pooled instances: interleaved seals and opens from many threads, and failed opens in between, stay correct. */
    @Test
    void reusedCiphersStayCorrectAcrossThreadsAndFailures() throws Exception {
        String tampered = "v1:" + Base64.getEncoder().encodeToString(new byte[40]);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            var tasks = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        byte[] plain = ("secret-" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
                        String context = "ctx-" + thread + "-" + i;
                        String sealed = cipher.seal(plain, context);
                        if (i % 7 == 0) {
                            assertThatThrownBy(() -> cipher.open(tampered, context))
                                    .isInstanceOf(SecretCipher.SecretUnreadableException.class);
                            assertThatThrownBy(() -> cipher.open(sealed, context + "x"))
                                    .isInstanceOf(SecretCipher.SecretUnreadableException.class);
                        }
                        assertThat(cipher.open(sealed, context)).isEqualTo(plain);
                    }
                    return null;
                }));
            }
            for (var task : tasks) {
                task.get();
            }
        }
    }

    @Test
    void secretsNeverPrint() {
        WireGuardSecret s = WireGuardKeys.generatePresharedKey();
        assertThat(s.toString()).doesNotContain(s.reveal()).contains("redacted");
        assertThat(cipher.toString()).doesNotContain(Base64.getEncoder().encodeToString(new byte[0]) + "x");
    }
}
