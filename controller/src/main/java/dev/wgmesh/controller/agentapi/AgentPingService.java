package dev.wgmesh.controller.agentapi;

import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.PingRequest;
import dev.wgmesh.proto.v1.PingResponse;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/** Answers {@code AgentService.Ping}: lets an agent check it reaches a wgmesh.v1 controller. */
@Component
public class AgentPingService extends AgentServiceGrpc.AgentServiceImplBase {
    private final Clock clock;
    private final String version;

    public AgentPingService(ObjectProvider<BuildProperties> build, ObjectProvider<Clock> clock) {
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        BuildProperties props = build.getIfAvailable();
        this.version = props != null ? props.getVersion() : ControllerVersion.VERSION;
    }

    @Override
    public void ping(PingRequest request, StreamObserver<PingResponse> responses) {
        responses.onNext(PingResponse.newBuilder()
                .setControllerVersion(version)
                .setServerTimeUnixMs(clock.millis())
                .build());
        responses.onCompleted();
    }
}
