package dev.wgmesh.controller.rollout;

import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rollouts across every network, by state: what the dashboard's overview asks for paused rollouts, in one request
 * whatever the number of networks and meshes. An unknown state is a 400 from the shared problem-details mapping.
 */
@RestController
@RequestMapping("/api/v1/rollouts")
class RolloutSearchController {
    private final RolloutService rollouts;

    RolloutSearchController(RolloutService rollouts) {
        this.rollouts = rollouts;
    }

    @GetMapping
    Map<String, List<RolloutInState>> inState(@RequestParam RolloutState state) {
        return Map.of("items", rollouts.inState(state));
    }
}
