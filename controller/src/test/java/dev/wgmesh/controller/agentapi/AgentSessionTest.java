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
            UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), true, out, scheduler, listener((r, h) -> {}));

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

    /** A block as the database reserves it for an agent whose stored desired revision is {@code stored}. */
    private static RevisionBlocks.Reserved block(long stored) {
        return new RevisionBlocks.Reserved(stored, stored + RevisionBlocks.BLOCK, stored);
    }

    /** Reports sends to {@code sent}; revision blocks are extended without a database. */
    private static AgentSession.Listener listener(java.util.function.BiConsumer<Long, String> sent) {
        return new AgentSession.Listener() {
            @Override
            public void sent(AgentSession session, long revision, String hash) {
                sent.accept(revision, hash);
            }

            @Override
            public void lowOnRevisions(AgentSession session) {
                session.extendRevisions(session.revisionCeiling() + RevisionBlocks.BLOCK);
            }

            @Override
            public long reserveRevisions(AgentSession session) {
                return session.revisionCeiling() + RevisionBlocks.BLOCK;
            }
        };
    }

    private void drain() throws Exception {
        scheduler.submit(() -> {}).get();
    }

    @Test
    void changesOfOneSubmitGoOutAsOneRevisionAndWaitWhileTheStreamIsFull() throws Exception {
        InterfaceConfig iface =
                InterfaceConfig.newBuilder().addAddresses("10.0.0.9/32").build();
        session.start(iface, List.of(peer(1)), 0, "", block(0), null);
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

    /** What the next session reports as sent ("revision hash"), in order, and what it sends. */
    private final List<String> reported = new CopyOnWriteArrayList<>();

    private final FakeStream stream = new FakeStream();
    private static final InterfaceConfig IFACE =
            InterfaceConfig.newBuilder().addAddresses("10.0.0.9/32").build();
    private static final String HASH_OF_PEER_1 = ConfigEntry.hash(ConfigEntry.interfaceDigest(IFACE), List.of(peer(1)));

    /** A fresh session started with IFACE and {@code peers}, after its first flush. */
    private AgentSession started(List<ConfigEntry> peers, long applied, String appliedHash, long stored)
            throws Exception {
        AgentSession s = new AgentSession(
                UUID.randomUUID(),
                UUID.randomUUID(),
                UUID.randomUUID(),
                true,
                stream,
                scheduler,
                listener((r, h) -> reported.add(r + " " + h)));
        s.start(IFACE, peers, applied, appliedHash, block(stored), null);
        drain();
        return s;
    }

    @Test
    void anAgentInSyncGetsNothingAndItsRevisionIsReportedAsDesired() throws Exception {
        AgentSession s = started(List.of(peer(1)), 7, HASH_OF_PEER_1, 7);
        assertThat(stream.sent).isEmpty();
        assertThat(reported).containsExactly("7 " + HASH_OF_PEER_1);
        assertThat(s.revision()).isEqualTo(7);
    }

    @Test
    void anAgentInSyncBelowTheStoredRevisionGetsAFreshRevision() throws Exception {
        // Revision 8 was sent (and recorded as desired) but never applied; the agent runs 7 with the same content.
        // The desired revision cannot go back to 7, so the agent is sent 9 and desired = applied again once it acks.
        started(List.of(peer(1)), 7, HASH_OF_PEER_1, 8);
        assertThat(stream.sent).singleElement().satisfies(m -> {
            assertThat(m.getSnapshot().getRevision()).isEqualTo(9);
            assertThat(m.getSnapshot().getConfigHash()).isEqualTo(HASH_OF_PEER_1);
        });
        assertThat(reported).containsExactly("9 " + HASH_OF_PEER_1);
    }

    @Test
    void aNewSessionNumbersAboveTheStoredRevision() throws Exception {
        started(List.of(peer(1), peer(2)), 3, "other", 5);
        assertThat(stream.sent)
                .singleElement()
                .satisfies(m -> assertThat(m.getSnapshot().getRevision()).isEqualTo(6));
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
