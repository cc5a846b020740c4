package dev.wgmesh.controller.rollout;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** {@code .../meshes/{m}/rollouts}: start, status, history, SSE stream, resume, abort, rollback (API.md). */
@RestController
@RequestMapping("/api/v1/networks/{networkId}/meshes/{meshId}/rollouts")
class RolloutController {
    private final RolloutService rollouts;
    private final RolloutStream stream;

    RolloutController(RolloutService rollouts, RolloutStream stream) {
        this.rollouts = rollouts;
        this.stream = stream;
    }

    @PostMapping
    ResponseEntity<Rollout> start(
            @PathVariable UUID networkId,
            @PathVariable UUID meshId,
            @RequestBody(required = false) RolloutRequest request) {
        Rollout r = rollouts.start(networkId, meshId, request);
        return ResponseEntity.created(
                        URI.create("/api/v1/networks/" + networkId + "/meshes/" + meshId + "/rollouts/" + r.id()))
                .body(r);
    }

    @GetMapping
    Map<String, List<Rollout>> list(@PathVariable UUID networkId, @PathVariable UUID meshId) {
        return Map.of("items", rollouts.list(networkId, meshId));
    }

    @GetMapping("/{rolloutId}")
    Rollout get(@PathVariable UUID networkId, @PathVariable UUID meshId, @PathVariable UUID rolloutId) {
        return rollouts.get(networkId, meshId, rolloutId);
    }

    @GetMapping("/{rolloutId}/events")
    Map<String, List<RolloutEvent>> events(
            @PathVariable UUID networkId,
            @PathVariable UUID meshId,
            @PathVariable UUID rolloutId,
            @RequestParam(defaultValue = "0") long after,
            @RequestParam(defaultValue = "500") int limit) {
        return Map.of("items", rollouts.events(networkId, meshId, rolloutId, after, limit));
    }

    @GetMapping(path = "/{rolloutId}/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter stream(
            @PathVariable UUID networkId,
            @PathVariable UUID meshId,
            @PathVariable UUID rolloutId,
            @RequestHeader(name = "Last-Event-ID", required = false) Long lastEventId) {
        return stream.subscribe(networkId, meshId, rolloutId, lastEventId == null ? 0 : lastEventId);
    }

    @PostMapping("/{rolloutId}/pause")
    Rollout pause(@PathVariable UUID networkId, @PathVariable UUID meshId, @PathVariable UUID rolloutId) {
        return rollouts.pause(networkId, meshId, rolloutId);
    }

    @PostMapping("/{rolloutId}/resume")
    Rollout resume(@PathVariable UUID networkId, @PathVariable UUID meshId, @PathVariable UUID rolloutId) {
        return rollouts.resume(networkId, meshId, rolloutId);
    }

    @PostMapping("/{rolloutId}/abort")
    Rollout abort(@PathVariable UUID networkId, @PathVariable UUID meshId, @PathVariable UUID rolloutId) {
        return rollouts.abort(networkId, meshId, rolloutId);
    }

    @PostMapping("/{rolloutId}/rollback")
    Rollout rollback(@PathVariable UUID networkId, @PathVariable UUID meshId, @PathVariable UUID rolloutId) {
        return rollouts.rollback(networkId, meshId, rolloutId);
    }
}
