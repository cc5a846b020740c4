package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.Fixtures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What the Sync integration tests share: the controller's HTTP port and gRPC endpoint, an admin API client with
 * fixtures, and simulated agents made with {@link #agent}, closed after each test. Subclasses carry
 * {@code @IntegrationTest} themselves.
 */
abstract class SimulatedAgentsTestBase {
    @LocalServerPort
    int port;

    @Autowired
    AgentGrpcServer grpc;

    ApiClient api;
    Fixtures fx;
    final List<SimulatedAgent> agents = new ArrayList<>();

    @BeforeEach
    void openApi() {
        api = new ApiClient(port);
        fx = new Fixtures(api);
    }

    @AfterEach
    void closeAgents() {
        agents.forEach(SimulatedAgent::close);
    }

    /** A simulated agent of this test's controller, closed after the test. */
    SimulatedAgent agent(String name) {
        SimulatedAgent a = new SimulatedAgent("127.0.0.1", grpc.port(), name);
        agents.add(a);
        return a;
    }
}
