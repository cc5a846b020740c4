package dev.wgmesh.controller.enrolment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.controller.enrolment.EnrolmentKeyRejectedException.Reason;
import dev.wgmesh.controller.support.IntegrationTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

@IntegrationTest
class EnrolmentKeyRedeemIntegrationTest {
    @Autowired
    EnrolmentKeyService keys;

    @Autowired
    JdbcTemplate jdbc;

    UUID network;

    @BeforeEach
    void network() {
        network = TestNetworks.insert(jdbc);
    }

    @AfterEach
    void removeNetwork() {
        TestNetworks.delete(jdbc, network);
    }

    private CreatedEnrolmentKey create(boolean reusable, Integer limit) {
        return keys.create(network, new EnrolmentKeyService.NewKey("k", reusable, limit, null, null), "test");
    }

    private Reason rejection(String secret) {
        try {
            keys.redeem(secret);
        } catch (EnrolmentKeyRejectedException ex) {
            if (secret != null) {
                assertThat(ex.getMessage()).doesNotContain(secret);
            }
            return ex.reason();
        }
        throw new AssertionError("redeem succeeded");
    }

    private int useCount(CreatedEnrolmentKey k) {
        return jdbc.queryForObject(
                "SELECT use_count FROM enrolment_key WHERE id = ?",
                Integer.class,
                k.key().id());
    }

    @Test
    void oneShotKeyWorksOnceAndNamesItsNetworkAndSite() {
        UUID site = TestNetworks.insertSite(jdbc, network);
        CreatedEnrolmentKey k =
                keys.create(network, new EnrolmentKeyService.NewKey("k", false, null, null, site), "test");
        assertThat(k.key().usageLimit()).isEqualTo(1);
        assertThat(keys.redeem(k.secret())).isEqualTo(new Redemption(k.key().id(), network, site));
        assertThat(rejection(k.secret())).isEqualTo(Reason.EXHAUSTED);
        assertThat(useCount(k)).isEqualTo(1);
    }

    @Test
    void aSiteMustBelongToTheKeysNetwork() {
        UUID otherNetwork = TestNetworks.insert(jdbc);
        try {
            UUID foreignSite = TestNetworks.insertSite(jdbc, otherNetwork);
            assertThatThrownBy(() -> keys.create(
                            network, new EnrolmentKeyService.NewKey("k", false, null, null, foreignSite), "t"))
                    .isInstanceOf(dev.wgmesh.controller.common.NotFoundException.class);
        } finally {
            TestNetworks.delete(jdbc, otherNetwork);
        }
    }

    @Test
    void reusableKeyWithLimitWorksThatManyTimes() {
        CreatedEnrolmentKey k = create(true, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(keys.redeem(k.secret()).networkId()).isEqualTo(network);
        }
        assertThat(rejection(k.secret())).isEqualTo(Reason.EXHAUSTED);
        assertThat(useCount(k)).isEqualTo(3);
    }

    @Test
    void reusableKeyWithoutLimitKeepsWorkingAndCounts() {
        CreatedEnrolmentKey k = create(true, null);
        for (int i = 0; i < 20; i++) {
            keys.redeem(k.secret());
        }
        assertThat(useCount(k)).isEqualTo(20);
        assertThat(jdbc.queryForObject(
                        "SELECT last_used_at FROM enrolment_key WHERE id = ?",
                        java.sql.Timestamp.class,
                        k.key().id()))
                .isNotNull();
    }

    @Test
    void revokedExpiredWrongAndMalformedKeysAreRejectedAndNotCounted() {
        CreatedEnrolmentKey revoked = create(true, null);
        keys.revoke(network, revoked.key().id());
        assertThat(rejection(revoked.secret())).isEqualTo(Reason.REVOKED);

        CreatedEnrolmentKey expired = create(true, null);
        jdbc.update(
                "UPDATE enrolment_key SET expires_at = now() - interval '1 second' WHERE id = ?",
                expired.key().id());
        assertThat(rejection(expired.secret())).isEqualTo(Reason.EXPIRED);

        CreatedEnrolmentKey valid = create(false, null);
        String s = valid.secret();
        String wrong = s.substring(0, s.length() - 1) + (s.endsWith("A") ? "B" : "A");
        assertThat(rejection(wrong)).isEqualTo(Reason.UNKNOWN);
        assertThat(rejection(EnrolmentKeyService.SECRETS.generate(UUID.randomUUID())))
                .isEqualTo(Reason.UNKNOWN);
        assertThat(rejection("garbage")).isEqualTo(Reason.UNKNOWN);
        assertThat(rejection(null)).isEqualTo(Reason.UNKNOWN);
        assertThat(useCount(revoked) + useCount(expired) + useCount(valid)).isZero();
        assertThat(keys.redeem(s).keyId()).isEqualTo(valid.key().id());
    }

    @Test
    void contradictoryOrOutOfRangeSettingsAreRefused() {
        assertThatThrownBy(() -> create(false, 2)).isInstanceOf(InvalidEnrolmentKeyRequestException.class);
        assertThatThrownBy(() -> create(true, 0)).isInstanceOf(InvalidEnrolmentKeyRequestException.class);
        Instant past = Instant.now().minus(1, ChronoUnit.MINUTES);
        assertThatThrownBy(() -> keys.create(network, new EnrolmentKeyService.NewKey("k", true, null, past, null), "t"))
                .isInstanceOf(dev.wgmesh.controller.token.InvalidExpiryException.class);
        assertThatThrownBy(() -> keys.create(
                        UUID.randomUUID(), new EnrolmentKeyService.NewKey("k", true, null, null, null), "t"))
                .isInstanceOf(dev.wgmesh.controller.common.NotFoundException.class);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM enrolment_key WHERE network_id = ?", Long.class, network))
                .isZero();
    }

    @Test
    void sixteenThreadsRacingForAOneShotKeyYieldExactlyOneWinner() throws Exception {
        for (int round = 0; round < 5; round++) {
            CreatedEnrolmentKey k = create(false, null);
            int threads = 16;
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            keys.redeem(k.secret());
                            return true;
                        } catch (EnrolmentKeyRejectedException ex) {
                            assertThat(ex.reason()).isEqualTo(Reason.EXHAUSTED);
                            return false;
                        }
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> f : results) {
                    if (f.get(30, TimeUnit.SECONDS)) {
                        winners++;
                    }
                }
                assertThat(winners).as("round " + round).isEqualTo(1);
                assertThat(useCount(k)).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aReusableKeyWithLimitFiveUnderSixteenThreadsIsUsedExactlyFiveTimes() throws Exception {
        CreatedEnrolmentKey k = create(true, 5);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try {
                        keys.redeem(k.secret());
                        return true;
                    } catch (EnrolmentKeyRejectedException ex) {
                        return false;
                    }
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(5);
            assertThat(useCount(k)).isEqualTo(5);
        } finally {
            pool.shutdownNow();
        }
    }
}
