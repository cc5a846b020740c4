package dev.wgmesh.controller.stats;

import java.time.Instant;

/**
 * One statistics sample of a link (or an agent's aggregate over its links), SYNC-CONVENTIONS.md "Stats". Null =
 * unknown. Rates in bytes per second; times in milliseconds except {@code handshakeAgeS}.
 */
public record StatsSample(
        Instant ts,
        Long rxBytes,
        Long txBytes,
        Double rxBps,
        Double txBps,
        Double handshakeAgeS,
        Double handshakeRttMs,
        Double probeRttMs,
        Double probeLoss,
        Long queuePackets,
        Long queueBytes,
        Double sojournP50Ms,
        Double sojournP99Ms,
        Double sojournMaxMs,
        Long dropsOverflow,
        Long dropsCodel,
        Long dropsNoRoute,
        Long dropsReplay,
        Long dropsAuth,
        Long ecnMarks) {}
