package dev.wgmesh.agent.sync;

import com.google.protobuf.ByteString;
import dev.wgmesh.dataplane.device.HandshakeListener;
import dev.wgmesh.proto.v1.AgentEvent;
import dev.wgmesh.proto.v1.AgentMessage;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Turns the data plane's handshake notifications into {@code AgentEvent}s for the controller and keeps each peer's
 * last handshake round trip for the stats report.
 *
 * <p>Events mark changes of a link's state, not every handshake: HANDSHAKE_COMPLETED when a peer's first handshake
 * completes or one completes after a failure, HANDSHAKE_FAILED when an attempt gives up on a peer that was up (or
 * never came up). Rekeys every two minutes on a healthy link would otherwise flood the event history.
 *
 * <p>Threads: the device calls in on its handshake worker and timer threads; {@link #send} must not block
 * ({@link SyncClient#send} queues). {@link #handshakeRttMicros} and {@link #retain} from any thread.
 */
public final class HandshakeEvents implements HandshakeListener {
    /** A peer's link as the events saw it last. */
    private static final class Link {
        volatile boolean up;
        volatile boolean failedReported;
        volatile long rttMicros;
    }

    private final Consumer<AgentMessage> send;
    private final Map<ByteString, Link> links = new ConcurrentHashMap<>();

    /** @param send where events go, usually {@link SyncClient#send} */
    public HandshakeEvents(Consumer<AgentMessage> send) {
        this.send = send;
    }

    @Override
    public void onHandshakeCompleted(byte[] publicKey, boolean initiator, long rttNanos) {
        Link l = links.computeIfAbsent(ByteString.copyFrom(publicKey), k -> new Link());
        if (initiator && rttNanos > 0) {
            l.rttMicros = Math.max(1, rttNanos / 1000);
        }
        if (!l.up) {
            l.up = true;
            l.failedReported = false;
            event(
                    AgentEvent.Kind.HANDSHAKE_COMPLETED,
                    publicKey,
                    initiator
                            ? "handshake completed (we initiated; round trip " + l.rttMicros / 1000.0 + " ms)"
                            : "handshake completed (peer initiated)");
        }
    }

    @Override
    public void onHandshakeFailed(byte[] publicKey, int attempts) {
        Link l = links.computeIfAbsent(ByteString.copyFrom(publicKey), k -> new Link());
        if (l.up || !l.failedReported) {
            l.up = false;
            l.failedReported = true;
            event(
                    AgentEvent.Kind.HANDSHAKE_FAILED,
                    publicKey,
                    "no handshake response after " + attempts + " attempt(s) over REKEY_ATTEMPT_TIME (90 s)");
        }
    }

    /** The last handshake round trip we measured as initiator, microseconds; 0 when none. */
    public long handshakeRttMicros(ByteString publicKey) {
        Link l = links.get(publicKey);
        return l == null ? 0 : l.rttMicros;
    }

    /** Forgets peers that are no longer configured (a peer added again starts as never up). */
    public void retain(Collection<ByteString> configured) {
        Set<ByteString> keep = new HashSet<>(configured);
        links.keySet().retainAll(keep);
    }

    private void event(AgentEvent.Kind kind, byte[] publicKey, String detail) {
        send.accept(AgentMessage.newBuilder()
                .setEvent(AgentEvent.newBuilder()
                        .setKind(kind)
                        .setTimeUnixMs(System.currentTimeMillis())
                        .setPeerPublicKey(ByteString.copyFrom(publicKey))
                        .setDetail(detail))
                .build());
    }
}
