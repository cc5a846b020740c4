package dev.wgmesh.controller.agentapi;

import static dev.wgmesh.controller.agentapi.AgentTestSupport.enrolmentKey;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.wgmesh.controller.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The controller does not probe agents' bandwidth (gRPC's BDP PINGs): each would cost a TLS record out and one in per
 * Ack, for every agent of a change ({@link AgentGrpcServer#FLOW_CONTROL_WINDOW_BYTES}). Observed with the agent's
 * HTTP/2 frame log: the agent's own PINGs are its business, a PING arriving from the controller is not.
 */
@IntegrationTest
class SyncFlowControlIntegrationTest extends SimulatedAgentsTestBase {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Where gRPC's client transport logs every HTTP/2 frame (at DEBUG). */
    private static final String CLIENT_FRAMES = "io.grpc.netty.shaded.io.grpc.netty.NettyClientHandler";

    @Test
    void acksDrawNoPingsFromTheController() throws Exception {
        Logger frames = (Logger) LoggerFactory.getLogger(CLIENT_FRAMES);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        Level level = frames.getLevel();
        frames.setLevel(Level.DEBUG);
        frames.addAppender(seen);
        try {
            UUID net = fx.network("10.64.0.0/24", null);
            SimulatedAgent a = agent("flow-a");
            a.enroll(enrolmentKey(api, net, null, false).get("joinToken").asString());
            a.connect();
            a.await(c -> c.getInterfaceConfig().getAddressesCount() > 0, WAIT);
            for (int i = 1; i <= 3; i++) {
                int peers = i;
                fx.device(net, Map.of());
                a.await(c -> c.getPeersCount() == peers, WAIT);
            }
            Thread.sleep(500); // the last Ack reaches the controller, which would answer it with a PING
        } finally {
            frames.detachAppender(seen);
            frames.setLevel(level);
        }
        List<String> logged =
                seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(logged).as("the frame log works").anyMatch(m -> m.contains("INBOUND DATA"));
        assertThat(logged).noneMatch(m -> m.contains("INBOUND PING: ack=false"));
    }
}
