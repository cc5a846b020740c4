package dev.wgmesh.controller.network;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

@Entity
@Table(name = "network")
class NetworkEntity implements Persistable<UUID> {
    /**
     * Ids are assigned here, so Spring Data cannot tell new from stored by the id: without this flag every insert
     * would first be a merge (an extra SELECT).
     */
    @Transient
    private boolean isNew = true;

    @Id
    private UUID id;

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

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private Long version;

    protected NetworkEntity() {}

    NetworkEntity(UUID id, Instant now) {
        this.id = id;
        this.createdAt = now;
        this.updatedAt = now;
    }

    void apply(NetworkSpec spec, Instant now) {
        this.name = spec.name();
        this.ipv4Prefix = spec.ipv4Prefix().toString();
        this.ipv6Prefix = spec.ipv6Prefix() == null ? null : spec.ipv6Prefix().toString();
        this.mtu = spec.mtu();
        this.dnsServers = String.join(",", spec.dnsServers());
        this.persistentKeepalive = spec.persistentKeepalive();
        this.updatedAt = now;
    }

    @Override
    public UUID getId() {
        return id;
    }

    @Override
    public boolean isNew() {
        return isNew;
    }

    @PostLoad
    @PostPersist
    void markStored() {
        isNew = false;
    }

    UUID id() {
        return id;
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

    Instant createdAt() {
        return createdAt;
    }

    Instant updatedAt() {
        return updatedAt;
    }

    long version() {
        return version == null ? 0 : version;
    }
}
