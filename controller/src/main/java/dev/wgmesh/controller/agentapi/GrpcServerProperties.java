package dev.wgmesh.controller.agentapi;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where agents reach the controller. {@code port} 0 picks a free port (tests).
 *
 * @param port TCP port of the agent gRPC endpoint
 * @param address address to bind; empty means all addresses
 */
@ConfigurationProperties("wgmesh.grpc")
public record GrpcServerProperties(int port, String address) {}
