package dev.wgmesh.controller.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code wgmesh.security.login.*}: failed logins allowed per username and per client IP within a sliding window.
 *
 * @param maxFailures failures after which further attempts are refused (429) until the oldest one leaves the window
 * @param window the sliding window
 * @param maxTrackedKeys bound on remembered usernames + IPs (memory cap under a distributed attack)
 */
@ConfigurationProperties("wgmesh.security.login")
public record LoginThrottleProperties(
        @DefaultValue("5") int maxFailures,
        @DefaultValue("1m") Duration window,
        @DefaultValue("100000") int maxTrackedKeys) {
    public LoginThrottleProperties {
        if (maxFailures < 1 || window.isNegative() || window.isZero() || maxTrackedKeys < 1) {
            throw new IllegalArgumentException("wgmesh.security.login: max-failures, window, max-tracked-keys > 0");
        }
    }
}
