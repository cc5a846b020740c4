package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.stats.StatsSample;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events for the dashboard (SYNC-CONVENTIONS.md "Live"): {@code agent} events (the agent item, on
 * presence and revision changes) and {@code stats} events ({@code {agentPeerId, remotePeerId, sample}}), per network.
 * A slow or gone client is dropped on its first failed write; nothing is buffered for it.
 */
@Component
class AgentEvents {
    static final long TIMEOUT_MS = 30 * 60 * 1000L;

    private final Map<UUID, Set<SseEmitter>> byNetwork = new ConcurrentHashMap<>();
    private final AgentStore store;

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
        if (byNetwork.isEmpty()) {
            return;
        }
        store.find(agentId).ifPresent(a -> publish(a.networkId(), "agent", a));
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
