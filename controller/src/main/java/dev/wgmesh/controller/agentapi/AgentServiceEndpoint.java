package dev.wgmesh.controller.agentapi;

import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.EnrollRequest;
import dev.wgmesh.proto.v1.EnrollResponse;
import dev.wgmesh.proto.v1.PingRequest;
import dev.wgmesh.proto.v1.PingResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.stereotype.Component;

/** {@code wgmesh.v1.AgentService}: Ping, Enroll and Sync (one bindable service; gRPC keys services by name). */
@Component
public class AgentServiceEndpoint extends AgentServiceGrpc.AgentServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(AgentServiceEndpoint.class);

    private final Clock clock;
    private final String version;
    private final AgentEnroller enroller;
    private final SyncServices sync;

    AgentServiceEndpoint(
            ObjectProvider<BuildProperties> build,
            ObjectProvider<Clock> clock,
            AgentEnroller enroller,
            SyncServices sync) {
        this.clock = clock.getIfAvailable(Clock::systemUTC);
        BuildProperties props = build.getIfAvailable();
        this.version = props != null ? props.getVersion() : ControllerVersion.VERSION;
        this.enroller = enroller;
        this.sync = sync;
    }

    @Override
    public void ping(PingRequest request, StreamObserver<PingResponse> responses) {
        responses.onNext(PingResponse.newBuilder()
                .setControllerVersion(version)
                .setServerTimeUnixMs(clock.millis())
                .build());
        responses.onCompleted();
    }

    @Override
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> responses) {
        EnrollResponse response;
        try {
            response = enroller.enroll(request);
        } catch (StatusRuntimeException ex) {
            responses.onError(ex);
            return;
        } catch (RuntimeException ex) {
            log.warn("Enrolment failed", ex);
            responses.onError(
                    Status.INTERNAL.withDescription("enrolment failed").asRuntimeException());
            return;
        }
        responses.onNext(response);
        responses.onCompleted();
    }

    @Override
    public StreamObserver<AgentMessage> sync(StreamObserver<ControllerMessage> responses) {
        return new SyncCall(sync, (ServerCallStreamObserver<ControllerMessage>) responses, AgentCredentials.current());
    }
}
