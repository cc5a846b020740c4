package dev.wgmesh.controller.network;

import dev.wgmesh.controller.common.AssignedIdEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

@Entity
@Table(name = "network")
class NetworkEntity extends AssignedIdEntity {
    @Column(nullable = false)
    private String name;

    @Column(name = "ipv4_prefix", nullable = false)
    private String ipv4Prefix;

    @Column(name = "ipv6_prefix")
    private String ipv6Prefix;

    @Column(nullable = false)
    private int mtu;

    @Column(name = "dns_servers", nullable = false)
    private String dnsServers;

    @Column(name = "persistent_keepalive", nullable = false)
    private int persistentKeepalive;

    protected NetworkEntity() {}

    NetworkEntity(UUID id, Instant now) {
        super(id, now);
    }

    void apply(NetworkSpec spec, Instant now) {
        this.name = spec.name();
        this.ipv4Prefix = spec.ipv4Prefix().toString();
        this.ipv6Prefix = spec.ipv6Prefix() == null ? null : spec.ipv6Prefix().toString();
        this.mtu = spec.mtu();
        this.dnsServers = String.join(",", spec.dnsServers());
        this.persistentKeepalive = spec.persistentKeepalive();
        touch(now);
    }

    String name() {
        return name;
    }

    String ipv4Prefix() {
        return ipv4Prefix;
    }

    String ipv6Prefix() {
        return ipv6Prefix;
    }

    int mtu() {
        return mtu;
    }

    List<String> dnsServers() {
        return dnsServers.isEmpty() ? List.of() : Arrays.asList(dnsServers.split(","));
    }

    int persistentKeepalive() {
        return persistentKeepalive;
    }
}
