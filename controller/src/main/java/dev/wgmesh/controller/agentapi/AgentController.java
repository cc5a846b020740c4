package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.common.PageResponse;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/v1/agents}: VIEWER may list and read, ADMIN may revoke. */
@RestController
@RequestMapping("/api/v1/agents")
class AgentController {
    private final AgentAdmin agents;

    AgentController(AgentAdmin agents) {
        this.agents = agents;
    }

    @GetMapping
    PageResponse<Agent> list(
            @RequestParam(required = false) UUID networkId,
            @RequestParam(required = false) Boolean online,
            @RequestParam(required = false) Boolean drift,
            @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        return agents.list(networkId, online, drift, page, size);
    }

    @GetMapping("/{id}")
    Agent get(@PathVariable UUID id) {
        return agents.get(id);
    }

    @PostMapping("/{id}/revoke")
    Agent revoke(@PathVariable UUID id) {
        return agents.revoke(id);
    }
}
