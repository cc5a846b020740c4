package dev.wgmesh.controller.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Throttles password guessing: after {@code maxFailures} failed logins within {@code window} for a username, or
 * from a client IP, further attempts for it are refused (HTTP 429 with Retry-After) without checking the password.
 *
 * <p>Why a small sliding window instead of Bucket4j: only <em>failures</em> count (a user who logs in often must
 * never be limited), the answer must include the exact time until the next attempt is allowed, and entries must
 * be evictable under a flood of distinct keys. That is a ring of {@code maxFailures} timestamps per key, in a few
 * dozen lines, with no extra dependency. It is per replica: with N replicas an attacker gets at most N times the
 * budget, which still reduces online guessing to a handful of tries per minute.
 *
 * <p>Thread-safety: the map is concurrent; each {@link FailureWindow} is guarded by its own monitor.
 */
@Component
public class LoginThrottle {
    private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);

    private final LoginThrottleProperties properties;
    private final Clock clock;
    private final Map<String, FailureWindow> windows = new ConcurrentHashMap<>();

    @Autowired
    public LoginThrottle(LoginThrottleProperties properties) {
        this(properties, Clock.systemUTC());
    }

    LoginThrottle(LoginThrottleProperties properties, Clock clock) {
        this.properties = properties;
        this.clock = clock;
    }

    /** How long the caller must wait, or empty when an attempt for this username from this IP may proceed. */
    public Optional<Duration> blockedFor(String username, String clientIp) {
        long now = clock.millis();
        long wait = Math.max(waitMillis(userKey(username), now), waitMillis(ipKey(clientIp), now));
        return wait > 0 ? Optional.of(Duration.ofMillis(wait)) : Optional.empty();
    }

    public void recordFailure(String username, String clientIp) {
        long now = clock.millis();
        if (windows.size() >= properties.maxTrackedKeys()) {
            evictIdle(now);
        }
        for (String key : new String[] {userKey(username), ipKey(clientIp)}) {
            windows.computeIfAbsent(key, k -> new FailureWindow(properties.maxFailures()))
                    .record(now);
        }
    }

    /** A successful login clears the username's failures; the IP's stay, so one valid account cannot reset them. */
    public void recordSuccess(String username) {
        windows.remove(userKey(username));
    }

    /** Forgets everything (tests; an operator could expose it later). */
    public void reset() {
        windows.clear();
    }

    int trackedKeys() {
        return windows.size();
    }

    private long waitMillis(String key, long now) {
        FailureWindow w = windows.get(key);
        return w == null ? 0 : w.waitMillis(now, properties.window().toMillis());
    }

    private void evictIdle(long now) {
        long windowMillis = properties.window().toMillis();
        windows.values().removeIf(w -> w.idle(now, windowMillis));
        if (windows.size() >= properties.maxTrackedKeys()) {
            // A flood of distinct usernames/IPs within one window: fail open rather than grow without bound.
            log.warn("Login throttle tracks {} keys within one window; forgetting all of them", windows.size());
            windows.clear();
        }
    }

    /** Usernames are at most 64 characters; longer input is cut so an attacker cannot make keys arbitrarily big. */
    private static String userKey(String username) {
        return "u:" + (username.length() > 64 ? username.substring(0, 64) : username);
    }

    private static String ipKey(String ip) {
        return "ip:" + ip;
    }

    /** The last {@code capacity} failure times of one key, as a ring. */
    private static final class FailureWindow {
        private final long[] times; // guarded by this
        private int next; // guarded by this; index of the oldest entry once full
        private int count; // guarded by this

        FailureWindow(int capacity) {
            times = new long[capacity];
        }

        synchronized void record(long now) {
            times[next] = now;
            next = (next + 1) % times.length;
            count = Math.min(count + 1, times.length);
        }

        /** Full ring whose oldest failure is still inside the window: wait until it leaves. */
        synchronized long waitMillis(long now, long windowMillis) {
            if (count < times.length) {
                return 0;
            }
            return Math.max(0, times[next] + windowMillis - now);
        }

        synchronized boolean idle(long now, long windowMillis) {
            int newest = (next - 1 + times.length) % times.length;
            return count == 0 || times[newest] + windowMillis <= now;
        }
    }
}
