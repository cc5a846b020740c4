package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.stats.StatsSample;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events for the dashboard (SYNC-CONVENTIONS.md "Live"): {@code agent} events (the agent item, on
 * presence changes and on acks: applied revision, hash, drift; from every replica, see {@link AgentStateWriter}) and {@code stats} events ({@code {agentPeerId, remotePeerId, sample}}), per network.
 * A slow or gone client is dropped on its first failed write; nothing is buffered for it.
 */
@Component
class AgentEvents implements DisposableBean, SmartLifecycle {
    static final long TIMEOUT_MS = 30 * 60 * 1000L;

    private final Map<UUID, Set<SseEmitter>> byNetwork = new ConcurrentHashMap<>();
    private final AgentStore store;
    private final ExecutorService publisher = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("agent-events").daemon().factory());

    AgentEvents(AgentStore store) {
        this.store = store;
    }

    SseEmitter subscribe(UUID networkId) {
        SseEmitter emitter = new SseEmitter(TIMEOUT_MS);
        Set<SseEmitter> set = byNetwork.computeIfAbsent(networkId, k -> new CopyOnWriteArraySet<>());
        set.add(emitter);
        Runnable remove = () -> set.remove(emitter);
        emitter.onCompletion(remove);
        emitter.onTimeout(remove);
        emitter.onError(e -> remove.run());
        try {
            emitter.send(SseEmitter.event().comment("wgmesh events for network " + networkId));
        } catch (IOException ex) {
            remove.run();
        }
        return emitter;
    }

    boolean hasSubscribers(UUID networkId) {
        Set<SseEmitter> set = byNetwork.get(networkId);
        return set != null && !set.isEmpty();
    }

    /** Publishes the agent's current item to its network's subscribers (no-op without subscribers). */
    void agentChanged(UUID agentId) {
        if (!anySubscriber()) {
            return;
        }
        store.find(agentId).ifPresent(a -> publish(a.networkId(), "agent", a));
    }

    /**
     * Publishes the current items of many agents (their acks moved applied revision, hash or drift), reading them in
     * batches on the publisher thread, so neither the state writer nor the LISTEN thread waits on clients. No-op
     * without subscribers on this replica.
     */
    void agentsChanged(Collection<UUID> agentIds) {
        if (agentIds.isEmpty() || !anySubscriber()) {
            return;
        }
        List<UUID> ids = List.copyOf(agentIds);
        publisher.execute(() -> {
            for (int i = 0; i < ids.size(); i += AgentStore.MANY) {
                for (Agent a : store.findMany(ids.subList(i, Math.min(ids.size(), i + AgentStore.MANY)))) {
                    publish(a.networkId(), "agent", a);
                }
            }
        });
    }

    private boolean anySubscriber() {
        for (Set<SseEmitter> set : byNetwork.values()) {
            if (!set.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void destroy() {
        publisher.shutdownNow();
    }

    private volatile boolean running;

    @Override
    public void start() {
        running = true;
    }

    /**
     * Ends every event stream before the web server's graceful shutdown, which would otherwise wait for these
     * long-lived requests; the dashboard reconnects (to another replica).
     */
    @Override
    public void stop() {
        running = false;
        byNetwork
                .values()
                .forEach(set -> set.forEach(e -> {
                    try {
                        e.complete();
                    } catch (RuntimeException ignored) {
                        // already gone
                    }
                }));
        byNetwork.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 500; // stopped before the web server's graceful shutdown (MAX - 1024)
    }

    void stats(UUID networkId, UUID agentPeerId, UUID remotePeerId, StatsSample sample) {
        java.util.LinkedHashMap<String, Object> data = new java.util.LinkedHashMap<>();
        data.put("agentPeerId", agentPeerId);
        data.put("remotePeerId", remotePeerId);
        data.put("sample", sample);
        publish(networkId, "stats", data);
    }

    private void publish(UUID networkId, String type, Object data) {
        Set<SseEmitter> set = byNetwork.get(networkId);
        if (set == null) {
            return;
        }
        for (SseEmitter e : List.copyOf(set)) {
            try {
                e.send(SseEmitter.event().name(type).data(data, MediaType.APPLICATION_JSON));
            } catch (IOException | IllegalStateException ex) {
                set.remove(e);
                e.completeWithError(ex);
            }
        }
    }
}
