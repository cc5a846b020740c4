package dev.wgmesh.controller.agentapi;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the agent-facing gRPC server for as long as the application context runs.
 *
 * <p>Every {@link BindableService} bean is served. Started after the web server and the database (late phase), so
 * agents never reach a controller that cannot yet answer them; stopped first, with a short grace period.
 */
@Component
public class AgentGrpcServer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AgentGrpcServer.class);

    private final GrpcServerProperties properties;
    private final List<BindableService> services;
    private volatile Server server;

    public AgentGrpcServer(GrpcServerProperties properties, List<BindableService> services) {
        this.properties = properties;
        this.services = services;
    }

    @Override
    public void start() {
        InetSocketAddress bind =
                properties.address() == null || properties.address().isBlank()
                        ? new InetSocketAddress(properties.port())
                        : new InetSocketAddress(properties.address(), properties.port());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(bind);
        services.forEach(builder::addService);
        try {
            server = builder.build().start();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot start the agent gRPC server on " + bind, ex);
        }
        log.info("Agent gRPC endpoint listening on port {}", server.getPort());
    }

    @Override
    public void stop() {
        Server s = server;
        if (s != null) {
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
