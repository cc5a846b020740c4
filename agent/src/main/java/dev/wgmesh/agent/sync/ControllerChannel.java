package dev.wgmesh.agent.sync;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * The agent's gRPC channel to the controller.
 *
 * <p>Its HTTP/2 receive window is fixed. gRPC's default tunes the window by probing bandwidth: a PING on nearly every
 * burst of data received, which the controller must read and answer. A change reaches every agent of a network at
 * once as one small update each, so that probe doubled the messages (and TLS records) per agent per change on both
 * sides, for a window that never needed to grow. 4 MiB holds a full snapshot of a few thousand peers in one window;
 * larger ones still arrive, a window at a time. The controller's side does the same (its {@code AgentGrpcServer}).
 */
public final class ControllerChannel {
    /** Fixed HTTP/2 receive window of the channel (no bandwidth-probing PINGs). */
    public static final int FLOW_CONTROL_WINDOW_BYTES = 4 * 1024 * 1024;

    private ControllerChannel() {}

    /** A channel to {@code target} (host:port or a gRPC target URI) with {@code credentials} (mutual TLS). */
    public static ManagedChannel open(String target, ChannelCredentials credentials) {
        return NettyChannelBuilder.forTarget(target, credentials)
                .keepAliveTime(30, TimeUnit.SECONDS)
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES)
                .build();
    }
}
