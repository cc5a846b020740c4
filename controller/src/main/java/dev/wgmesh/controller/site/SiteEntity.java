package dev.wgmesh.controller.site;

import dev.wgmesh.controller.common.AssignedIdEntity;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

@Entity
@Table(name = "site")
class SiteEntity extends AssignedIdEntity {
    @Column(name = "network_id", nullable = false, updatable = false)
    private UUID networkId;

    @Column(nullable = false)
    private String name;

    @Column(name = "lan_prefixes", nullable = false, length = 4000)
    private String lanPrefixes;

    protected SiteEntity() {}

    SiteEntity(UUID id, UUID networkId, Instant now) {
        super(id, now);
        this.networkId = networkId;
    }

    void apply(String name, List<String> lanPrefixes, Instant now) {
        this.name = name;
        this.lanPrefixes = String.join(",", lanPrefixes);
        touch(now);
    }

    UUID networkId() {
        return networkId;
    }

    String name() {
        return name;
    }

    List<String> lanPrefixes() {
        return lanPrefixes.isEmpty() ? List.of() : Arrays.asList(lanPrefixes.split(","));
    }
}
