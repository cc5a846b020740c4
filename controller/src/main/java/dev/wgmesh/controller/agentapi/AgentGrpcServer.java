package dev.wgmesh.controller.agentapi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the agent-facing gRPC server for as long as the application context runs.
 *
 * <p>Every {@link BindableService} bean is served, behind {@link AgentCredentials#INTERCEPTOR}. TLS always: the
 * server certificate is issued by the {@link ControllerCa} at start; client certificates are optional at the TLS layer
 * (Ping and Enroll need none) but must chain to the same CA when presented. Started after the web server and the
 * database (late phase), so agents never reach a controller that cannot yet answer them; stopped first: agents are
 * told to reconnect (elsewhere), then the server shuts down with a short grace period.
 */
@Component
public class AgentGrpcServer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AgentGrpcServer.class);

    private final GrpcServerProperties properties;
    static final int MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024;
    /**
     * Receive window per stream and connection, fixed. gRPC's default tunes it by bandwidth-delay-product probing: a
     * PING to the agent on every DATA frame read while none is outstanding, i.e. on nearly every Ack, and the agent's
     * PING ack to read back; with 1,000 agents acking one change that was 1,000 extra TLS records out and in. What
     * agents send (Acks, keepalives, stats) is small, so gRPC's default initial window, never grown, is plenty.
     */
    static final int FLOW_CONTROL_WINDOW_BYTES = 1024 * 1024;

    private final List<BindableService> services;
    private final ControllerCa ca;
    private final AgentHub hub;
    private volatile Server server;

    public AgentGrpcServer(
            GrpcServerProperties properties, List<BindableService> services, ControllerCa ca, AgentHub hub) {
        this.properties = properties;
        this.services = services;
        this.ca = ca;
        this.hub = hub;
    }

    @Override
    public void start() {
        InetSocketAddress bind =
                properties.address() == null || properties.address().isBlank()
                        ? new InetSocketAddress(properties.port())
                        : new InetSocketAddress(properties.address(), properties.port());
        ControllerCa.ServerIdentity identity = ca.issueServerIdentity(properties.extraSans());
        SslContext ssl;
        try {
            ssl = GrpcSslContexts.configure(
                            SslContextBuilder.forServer(identity.key(), identity.certificate(), identity.ca()))
                    .trustManager(identity.ca())
                    .clientAuth(ClientAuth.OPTIONAL)
                    .build();
        } catch (SSLException ex) {
            throw new IllegalStateException("cannot build the gRPC TLS context", ex);
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind)
                .sslContext(ssl)
                .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES) // fixed: no BDP pings (see the constant)
                .permitKeepAliveTime(5, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .handshakeTimeout(10, TimeUnit.SECONDS);
        services.forEach(s -> builder.addService(ServerInterceptors.intercept(s, AgentCredentials.INTERCEPTOR)));
        try {
            server = builder.build().start();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start the agent gRPC server on " + bind, ex);
        }
        log.info("Agent gRPC endpoint listening on port {} (TLS, CA {})", server.getPort(), ca.fingerprint());
    }

    @Override
    public void stop() {
        Server s = server;
        if (s != null) {
            hub.shutdown();
            s.shutdown();
            try {
                if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException ex) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000;
    }

    /** The bound port (useful when configured as 0). */
    public int port() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("gRPC server not running");
        }
        return s.getPort();
    }
}
