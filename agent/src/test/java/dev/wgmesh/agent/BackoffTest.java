package dev.wgmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delaysStayUnderADoublingCeilingCappedAtTheMaximum() {
        Backoff b = new Backoff(Duration.ofMillis(800), Duration.ofSeconds(10), new SplittableRandom(1));
        long[] ceilings = {800, 1600, 3200, 6400, 10_000, 10_000, 10_000};
        for (long ceiling : ceilings) {
            assertThat(b.next().toMillis()).isBetween(0L, ceiling);
        }
    }

    @Test
    void fullJitterSpreadsAgentsOverTheWholeRange() {
        // 1,000 agents reconnecting at their 5th attempt: delays spread over [0, 10 s], not clustered at the top.
        long below2s = 0, above8s = 0;
        for (int agent = 0; agent < 1000; agent++) {
            Backoff b = new Backoff(Duration.ofMillis(800), Duration.ofSeconds(10), new SplittableRandom(agent));
            for (int i = 0; i < 4; i++) {
                b.next();
            }
            long d = b.next().toMillis();
            if (d < 2000) below2s++;
            if (d > 8000) above8s++;
        }
        assertThat(below2s).isBetween(120L, 280L);
        assertThat(above8s).isBetween(120L, 280L);
    }

    @Test
    void resetStartsOverAndFloorIsHonoured() {
        Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new SplittableRandom(7));
        for (int i = 0; i < 10; i++) {
            b.next();
        }
        b.reset();
        assertThat(b.next().toMillis()).isLessThanOrEqualTo(100);
        assertThat(b.nextAtLeast(Duration.ofSeconds(3))).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
