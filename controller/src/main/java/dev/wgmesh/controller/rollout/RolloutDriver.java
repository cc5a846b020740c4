package dev.wgmesh.controller.rollout;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Drives rollouts on this replica: every {@code wgmesh.rollout.tick} (200 ms) it steps each RUNNING or ROLLING_BACK
 * rollout whose lease is free, expired or its own. The lease ({@code wgmesh.rollout.lease}, 10 s) is renewed by each
 * step, so a replica that dies hands its rollouts to another one within a lease; a replica that stops cleanly
 * releases them at once. Everything a step needs is in the database, so a restarted controller resumes where the
 * last committed step left off.
 */
@Component
class RolloutDriver implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(RolloutDriver.class);

    private final RolloutStore store;
    private final RolloutStepper stepper;
    private final Duration tick;
    private final Duration lease;
    private final String owner;
    private ScheduledExecutorService timer;
    private volatile boolean running;

    RolloutDriver(
            RolloutStore store,
            RolloutStepper stepper,
            @Value("${wgmesh.rollout.tick:200ms}") Duration tick,
            @Value("${wgmesh.rollout.lease:10s}") Duration lease,
            @Value("${wgmesh.replica-id:}") String replicaId) {
        this.store = store;
        this.stepper = stepper;
        this.tick = tick;
        this.lease = lease;
        this.owner = replicaId == null || replicaId.isBlank() ? defaultOwner() : replicaId.strip();
    }

    private static String defaultOwner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException ex) {
            host = "controller";
        }
        return (host.length() > 100 ? host.substring(0, 100) : host) + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }

    String owner() {
        return owner;
    }

    @Override
    public void start() {
        running = true;
        timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("rollout-driver").daemon().factory());
        timer.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One pass over the rollouts to drive. Package-private for tests. */
    void tick() {
        if (!running) {
            return;
        }
        try {
            for (UUID id : store.claimable(owner, Instant.now())) {
                try {
                    stepper.step(id, owner, lease);
                } catch (RuntimeException ex) {
                    log.warn("Rollout {} step failed (will retry)", id, ex);
                }
            }
        } catch (RuntimeException ex) {
            log.warn("Listing rollouts to drive failed (will retry)", ex);
        }
    }

    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdown();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            store.releaseAll(owner);
        } catch (RuntimeException ex) {
            log.warn("Could not release rollout leases; they expire within {}", lease);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
