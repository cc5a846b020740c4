package dev.wgmesh.controller.agentapi;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where agents reach the controller. {@code port} 0 picks a free port (tests).
 *
 * @param port TCP port of the agent gRPC endpoint
 * @param address address to bind; empty means all addresses
 * @param tls TLS settings (the endpoint always uses TLS with the controller CA)
 */
@ConfigurationProperties("wgmesh.grpc")
public record GrpcServerProperties(int port, String address, Tls tls) {
    /** @param extraSans names and addresses to add to the server certificate besides localhost and the host name */
    public record Tls(List<String> extraSans) {}

    List<String> extraSans() {
        return tls == null || tls.extraSans() == null ? List.of() : tls.extraSans();
    }
}
