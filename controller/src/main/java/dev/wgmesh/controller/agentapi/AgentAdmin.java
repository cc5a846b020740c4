package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.common.NotFoundException;
import dev.wgmesh.controller.common.PageResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Agents for the REST API: list, get, revoke (audited; the session is closed on whichever replica holds it). */
@Service
public class AgentAdmin {
    static final int MAX_PAGE_SIZE = 500;
    private final AgentStore store;
    private final ChangeOutbox outbox;
    private final AuditLog audit;

    AgentAdmin(AgentStore store, ChangeOutbox outbox, AuditLog audit) {
        this.store = store;
        this.outbox = outbox;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public PageResponse<Agent> list(UUID networkId, Boolean online, Boolean drift, int page, int size) {
        int p = Math.max(0, page);
        int s = Math.clamp(size, 1, MAX_PAGE_SIZE);
        long total = store.count(networkId, online, drift);
        return new PageResponse<>(
                store.list(networkId, online, drift, s, (long) p * s), p, s, total, (int) ((total + s - 1) / s));
    }

    @Transactional(readOnly = true)
    public Agent get(UUID id) {
        return store.find(id).orElseThrow(() -> new NotFoundException("agent", id));
    }

    /** Revokes the agent's credential: its stream is closed with a Revoked control message; it cannot reconnect. */
    @Transactional
    public Agent revoke(UUID id) {
        Agent before = get(id);
        if (store.revoke(id)) {
            outbox.append(before.networkId(), "agent", id.toString(), "agent.revoked");
        }
        Agent after = get(id);
        audit.record("agent.revoked", "agent", id, view(before), view(after));
        return after;
    }

    /**
     * Asks the replica holding the agent's stream to send its whole desired configuration again (re-converges a
     * drifted agent). Joins the caller's transaction: the request goes out when it commits.
     */
    @Transactional
    public void resync(UUID agentId) {
        Agent a = get(agentId);
        outbox.append(a.networkId(), "agent", agentId.toString(), "agent.resync");
    }

    private static Map<String, Object> view(Agent a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peerId", a.peerId().toString());
        m.put("networkId", a.networkId().toString());
        m.put("name", a.name());
        m.put("revokedAt", a.revokedAt() == null ? null : a.revokedAt().toString());
        return m;
    }
}
