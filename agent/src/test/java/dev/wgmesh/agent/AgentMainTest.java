package dev.wgmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.PingRequest;
import dev.wgmesh.proto.v1.PingResponse;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AgentMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AgentMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("wgmesh-agent ");
    }

    @Test
    void rejectsUnknownCommandWithUsageExitCode() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command");
    }

    @Test
    void pingsARealGrpcServerOnLoopback() throws Exception {
        Server server = ServerBuilder.forPort(0)
                .addService(new AgentServiceGrpc.AgentServiceImplBase() {
                    @Override
                    public void ping(PingRequest request, StreamObserver<PingResponse> responses) {
                        responses.onNext(PingResponse.newBuilder()
                                .setControllerVersion("test-" + request.getAgentVersion())
                                .build());
                        responses.onCompleted();
                    }
                })
                .build()
                .start();
        try {
            assertThat(run("ping", "--controller", "127.0.0.1:" + server.getPort()))
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("controller test-" + AgentMain.VERSION);
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void pingReportsUnreachableController() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        assertThat(run("ping", "--controller", "127.0.0.1:" + freePort)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("did not answer");
    }
}
