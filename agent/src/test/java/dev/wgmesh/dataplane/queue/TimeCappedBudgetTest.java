package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TimeCappedBudgetTest {
    private static final long MS = 1_000_000L;
    private static final long HEADROOM = 4_000;

    private final TimeCappedBudget budget = new TimeCappedBudget(new FixedBudget(1 << 20), MS, HEADROOM);

    @Test
    void openUntilTheFirstRateSample() {
        assertThat(budget.available(0)).isEqualTo(1 << 20);
        assertThat(budget.cap()).isEqualTo(Long.MAX_VALUE);
        assertThat(budget.limit()).isEqualTo(1 << 20);
    }

    @Test
    void capIsOneMillisecondOfMeasuredWorkPlusHeadroom() {
        long now = 0;
        for (int i = 0; i < 50; i++) { // workers complete 20 kB per ms, always busy
            budget.onDispatched(20_000, now);
            now += MS;
            budget.onCompleted(20_000, 0, 0, now);
        }
        assertThat(budget.cap()).isEqualTo(HEADROOM + 20_000);
        assertThat(budget.limit()).isEqualTo(HEADROOM + 20_000);
        budget.onDispatched(10_000, now);
        assertThat(budget.available(now)).isEqualTo(HEADROOM + 10_000);
    }

    @Test
    void idleGapsDoNotLowerTheRate() {
        long now = 0;
        for (int i = 0; i < 50; i++) {
            budget.onDispatched(20_000, now);
            now += MS;
            budget.onCompleted(20_000, 0, 0, now);
            now += 100 * MS; // nothing to do between bursts: says nothing about capacity
        }
        assertThat(budget.cap()).isEqualTo(HEADROOM + 20_000);
    }

    @Test
    void followsASlowdownAndARecovery() {
        long now = 0;
        for (int i = 0; i < 50; i++) {
            budget.onDispatched(20_000, now);
            now += 4 * MS; // four times slower (descheduled workers)
            budget.onCompleted(20_000, 0, 0, now);
        }
        assertThat(budget.cap()).isBetween(HEADROOM + 4_900, HEADROOM + 5_100);
        for (int i = 0; i < 50; i++) {
            budget.onDispatched(20_000, now);
            now += MS;
            budget.onCompleted(20_000, 0, 0, now);
        }
        assertThat(budget.cap()).isBetween(HEADROOM + 19_500, HEADROOM + 20_000);
    }

    @Test
    void innerBudgetStillLimitsWhenSmaller() {
        TimeCappedBudget b = new TimeCappedBudget(new FixedBudget(3_000), MS, HEADROOM);
        assertThat(b.available(0)).isEqualTo(3_000);
        b.onDispatched(3_000, 0);
        assertThat(b.available(0)).isZero();
        assertThat(b.inFlight()).isEqualTo(3_000);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new TimeCappedBudget(new FixedBudget(1), 0, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TimeCappedBudget(new FixedBudget(1), MS, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
