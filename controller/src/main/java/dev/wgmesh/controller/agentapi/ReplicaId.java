package dev.wgmesh.controller.agentapi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** This controller process among its replicas: {@code wgmesh.replica-id}, by default host name + random suffix. */
@Component
class ReplicaId {
    private final String id;

    ReplicaId(@Value("${wgmesh.replica-id:}") String configured) {
        if (configured != null && !configured.isBlank()) {
            this.id = configured.strip();
        } else {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException ex) {
                host = "controller";
            }
            this.id = (host.length() > 100 ? host.substring(0, 100) : host) + "-"
                    + UUID.randomUUID().toString().substring(0, 8);
        }
    }

    String id() {
        return id;
    }
}
