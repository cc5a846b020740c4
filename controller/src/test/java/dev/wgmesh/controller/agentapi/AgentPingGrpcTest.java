package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.PingRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The agent endpoint answers over a real TCP socket while the application runs. */
@IntegrationTest
class AgentPingGrpcTest {
    @Autowired
    AgentGrpcServer server;

    @Test
    void answersPingOverARealSocket() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port())
                .usePlaintext()
                .build();
        try {
            long before = System.currentTimeMillis();
            var response = AgentServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .ping(PingRequest.newBuilder().setAgentVersion("test").build());
            assertThat(response.getControllerVersion()).isNotBlank();
            assertThat(response.getServerTimeUnixMs()).isBetween(before - 1000, System.currentTimeMillis() + 1000);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
