package dev.wgmesh.agent.sync;

import java.time.Duration;

/**
 * Timings of the Sync session.
 *
 * @param keepalive send a Keepalive after this much silence; the session is dead after three intervals without
 *     hearing from the controller (proto {@code Keepalive}: default 15 s)
 * @param statsInterval send a StatsReport this often (the controller may change it with StatsRequest)
 * @param backoffInitial first reconnect ceiling (0.8 s as NetBird)
 * @param backoffMax largest reconnect ceiling (10 s)
 * @param stableAfter a session that lasted this long resets the backoff
 */
public record SyncSettings(
        Duration keepalive,
        Duration statsInterval,
        Duration backoffInitial,
        Duration backoffMax,
        Duration stableAfter) {
    public static SyncSettings defaults(Duration statsInterval) {
        return new SyncSettings(
                Duration.ofSeconds(15),
                statsInterval,
                Duration.ofMillis(800),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }
}
