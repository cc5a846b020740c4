package dev.wgmesh.controller.agentapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sending discipline of one session: one revision per submitted change, back-pressure, the queue gauge. */
class AgentSessionTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final FakeStream out = new FakeStream();
    private final AgentSession session = new AgentSession(
            UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), true, out, scheduler, (s, r, h) -> {});

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private static ConfigEntry peer(int i) {
        byte[] key = new byte[32];
        key[0] = (byte) i;
        return ConfigEntry.of(PeerConfig.newBuilder()
                .setPublicKey(ByteString.copyFrom(key))
                .addAllowedIps("10.0.0." + i + "/32")
                .build());
    }

    private void drain() throws Exception {
        scheduler.submit(() -> {}).get();
    }

    @Test
    void changesOfOneSubmitGoOutAsOneRevisionAndWaitWhileTheStreamIsFull() throws Exception {
        InterfaceConfig iface =
                InterfaceConfig.newBuilder().addAddresses("10.0.0.9/32").build();
        session.start(iface, List.of(peer(1)), 0, "", 0, null);
        drain();
        assertThat(out.sent).singleElement().satisfies(m -> assertThat(m.hasSnapshot())
                .isTrue());
        assertThat(session.pending()).isFalse();

        // A removal plus the interface change it implies: one delta.
        session.apply(peer(1).config().getPublicKey(), null);
        session.applyInterface(iface.toBuilder().addRoutes("192.168.1.0/24").build());
        assertThat(session.pending()).isTrue(); // not submitted yet: nothing sent
        drain();
        assertThat(out.sent).hasSize(1);
        session.submit();
        Thread.sleep(AgentSession.COALESCE_NANOS / 1_000_000 + 50);
        drain();
        assertThat(out.sent).hasSize(2);
        var delta = out.sent.get(1).getDelta();
        assertThat(delta.getRemovedPeerKeysCount()).isEqualTo(1);
        assertThat(delta.getInterfaceConfig().getRoutesList()).containsExactly("192.168.1.0/24");
        assertThat(delta.getFromRevision())
                .isEqualTo(out.sent.getFirst().getSnapshot().getRevision());

        // Back-pressure: while gRPC's buffer is full the change stays queued (the gauge counts it), then goes out
        // when the stream is ready again.
        out.ready = false;
        session.apply(peer(2).config().getPublicKey(), peer(2));
        session.submit();
        Thread.sleep(AgentSession.COALESCE_NANOS / 1_000_000 + 50);
        drain();
        assertThat(out.sent).hasSize(2);
        assertThat(session.pending()).isTrue();
        out.ready = true;
        session.flush(); // what the on-ready handler does
        assertThat(out.sent).hasSize(3);
        assertThat(out.sent.get(2).getDelta().getUpsertedPeersList()).containsExactly(peer(2).config());
        assertThat(session.pending()).isFalse();
    }

    /** The parts of gRPC's server stream a session uses. */
    static final class FakeStream extends ServerCallStreamObserver<ControllerMessage> {
        final List<ControllerMessage> sent = new CopyOnWriteArrayList<>();
        volatile boolean ready = true;

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void onNext(ControllerMessage value) {
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable onCancelHandler) {}

        @Override
        public void setCompression(String compression) {}

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {}

        @Override
        public void request(int count) {}

        @Override
        public void setMessageCompression(boolean enable) {}

        @Override
        public void disableAutoInboundFlowControl() {}
    }
}
