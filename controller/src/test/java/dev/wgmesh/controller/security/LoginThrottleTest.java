package dev.wgmesh.controller.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
    private final MutableClock clock = new MutableClock();
    private final LoginThrottle throttle =
            new LoginThrottle(new LoginThrottleProperties(3, Duration.ofSeconds(60), 100), clock);

    @Test
    void blocksAfterMaxFailuresUntilTheOldestLeavesTheWindow() {
        throttle.recordFailure("alice", "10.0.0.1");
        clock.advance(Duration.ofSeconds(10));
        throttle.recordFailure("alice", "10.0.0.2");
        throttle.recordFailure("alice", "10.0.0.3");
        assertThat(throttle.blockedFor("alice", "10.0.0.9")).hasValue(Duration.ofSeconds(50));

        clock.advance(Duration.ofSeconds(50));
        assertThat(throttle.blockedFor("alice", "10.0.0.9")).isEmpty();
        throttle.recordFailure("alice", "10.0.0.4");
        assertThat(throttle.blockedFor("alice", "10.0.0.9")).hasValue(Duration.ofSeconds(10));
    }

    @Test
    void blocksAnIpAcrossUsernames() {
        throttle.recordFailure("a", "10.0.0.1");
        throttle.recordFailure("b", "10.0.0.1");
        throttle.recordFailure("c", "10.0.0.1");
        assertThat(throttle.blockedFor("d", "10.0.0.1")).isPresent();
        assertThat(throttle.blockedFor("d", "10.0.0.2")).isEmpty();
    }

    @Test
    void successClearsTheUsernameButNotTheIp() {
        throttle.recordFailure("alice", "10.0.0.1");
        throttle.recordFailure("alice", "10.0.0.1");
        throttle.recordFailure("alice", "10.0.0.1");
        throttle.recordSuccess("alice");
        assertThat(throttle.blockedFor("alice", "10.0.0.2")).isEmpty();
        assertThat(throttle.blockedFor("alice", "10.0.0.1")).isPresent();
    }

    @Test
    void staysBoundedUnderAFloodOfKeys() {
        for (int i = 0; i < 1_000; i++) {
            throttle.recordFailure("user" + i, "ip" + i);
        }
        assertThat(throttle.trackedKeys()).isLessThanOrEqualTo(100);
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
