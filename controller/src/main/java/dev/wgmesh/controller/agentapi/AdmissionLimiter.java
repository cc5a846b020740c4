package dev.wgmesh.controller.agentapi;

import java.util.concurrent.ThreadLocalRandom;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Reconnect-storm protection: a token bucket over new Sync sessions on this replica. When empty, the stream is
 * refused with RESOURCE_EXHAUSTED and a {@code retry-after-ms} trailer (time to the next token plus jitter, so
 * refused agents do not come back in lockstep).
 */
@Component
class AdmissionLimiter {
    private final double perSecond;
    private final double burst;
    private double tokens;
    private long lastNanos = System.nanoTime();

    AdmissionLimiter(
            @Value("${wgmesh.grpc.admission-per-second:200}") double perSecond,
            @Value("${wgmesh.grpc.admission-burst:2000}") double burst) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokens = burst;
    }

    /** @return 0 when admitted, otherwise the delay in milliseconds the caller should wait */
    synchronized long tryAdmit() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * perSecond);
        lastNanos = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        long wait = (long) Math.ceil((1 - tokens) / perSecond * 1000);
        return wait + ThreadLocalRandom.current().nextLong(1000 + wait);
    }
}
