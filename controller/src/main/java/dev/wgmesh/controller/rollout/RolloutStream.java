package dev.wgmesh.controller.rollout;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events of one rollout: {@code event: rollout} (the rollout, as {@code GET} answers it) when something
 * happened, and {@code event: rollout-event} per history entry (SSE {@code id} = the entry's id, so a client
 * reconnecting with {@code Last-Event-ID} gets only what it missed). Read from the database every {@link #POLL_MS}
 * ms, so a subscriber on any replica sees the steps of the replica that drives the rollout. A failed write drops
 * the subscriber; nothing is buffered for it.
 */
@Component
class RolloutStream implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(RolloutStream.class);
    static final long POLL_MS = 300;
    static final long TIMEOUT_MS = 30 * 60 * 1000L;

    private final class Subscriber {
        final SseEmitter emitter = new SseEmitter(TIMEOUT_MS);
        final UUID networkId;
        final UUID meshId;
        volatile long lastId;

        Subscriber(UUID networkId, UUID meshId, long lastId) {
            this.networkId = networkId;
            this.meshId = meshId;
            this.lastId = lastId;
        }
    }

    private final RolloutService rollouts;
    private final Map<UUID, List<Subscriber>> byRollout = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("rollout-sse").daemon().factory());

    RolloutStream(RolloutService rollouts) {
        this.rollouts = rollouts;
        timer.scheduleWithFixedDelay(this::poll, POLL_MS, POLL_MS, TimeUnit.MILLISECONDS);
    }

    /** Validates the rollout (404), then streams its status and the history after {@code lastEventId}. */
    SseEmitter subscribe(UUID networkId, UUID meshId, UUID rolloutId, long lastEventId) {
        Rollout current = rollouts.get(networkId, meshId, rolloutId);
        Subscriber s = new Subscriber(networkId, meshId, lastEventId);
        List<Subscriber> list = byRollout.computeIfAbsent(rolloutId, k -> new CopyOnWriteArrayList<>());
        list.add(s);
        Runnable remove = () -> list.remove(s);
        s.emitter.onCompletion(remove);
        s.emitter.onTimeout(remove);
        s.emitter.onError(e -> remove.run());
        timer.execute(() -> {
            if (send(s, "rollout", null, current)) {
                drain(rolloutId, s);
            } else {
                list.remove(s);
            }
        });
        return s.emitter;
    }

    private void poll() {
        for (Map.Entry<UUID, List<Subscriber>> e : byRollout.entrySet()) {
            for (Subscriber s : e.getValue()) {
                try {
                    if (!drain(e.getKey(), s)) {
                        e.getValue().remove(s);
                    }
                } catch (RuntimeException ex) {
                    log.debug("Rollout stream poll failed", ex);
                }
            }
            if (e.getValue().isEmpty()) {
                byRollout.remove(e.getKey(), e.getValue());
            }
        }
    }

    /** Sends history after the subscriber's last id, then the status when there was any; false = subscriber gone. */
    private boolean drain(UUID rolloutId, Subscriber s) {
        List<RolloutEvent> fresh = rollouts.events(s.networkId, s.meshId, rolloutId, s.lastId, 500);
        if (fresh.isEmpty()) {
            return true;
        }
        for (RolloutEvent ev : fresh) {
            if (!send(s, "rollout-event", String.valueOf(ev.id()), ev)) {
                return false;
            }
            s.lastId = ev.id();
        }
        return send(s, "rollout", null, rollouts.get(s.networkId, s.meshId, rolloutId));
    }

    private static boolean send(Subscriber s, String name, String id, Object data) {
        try {
            SseEmitter.SseEventBuilder b = SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON);
            if (id != null) {
                b.id(id);
            }
            s.emitter.send(b);
            return true;
        } catch (IOException | IllegalStateException ex) {
            s.emitter.completeWithError(ex);
            return false;
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
