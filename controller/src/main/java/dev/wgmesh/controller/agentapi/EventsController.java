package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.network.NetworkService;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /api/v1/events?networkId=}: Server-Sent Events of one network ({@code agent}, {@code stats}); VIEWER and
 * up. {@code networkId} is required (400 without it; 404 for an unknown network).
 */
@RestController
class EventsController {
    private final AgentEvents events;
    private final NetworkService networks;

    EventsController(AgentEvents events, NetworkService networks) {
        this.events = events;
        this.networks = networks;
    }

    @GetMapping(path = "/api/v1/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@RequestParam UUID networkId) {
        networks.get(networkId);
        return events.subscribe(networkId);
    }
}
