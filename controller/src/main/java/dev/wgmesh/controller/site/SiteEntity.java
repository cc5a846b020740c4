package dev.wgmesh.controller.site;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

@Entity
@Table(name = "site")
class SiteEntity {
    @Id
    private UUID id;

    @Column(name = "network_id", nullable = false, updatable = false)
    private UUID networkId;

    @Column(nullable = false)
    private String name;

    @Column(name = "lan_prefixes", nullable = false, length = 4000)
    private String lanPrefixes;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private Long version;

    protected SiteEntity() {}

    SiteEntity(UUID id, UUID networkId, Instant now) {
        this.id = id;
        this.networkId = networkId;
        this.createdAt = now;
    }

    void apply(String name, List<String> lanPrefixes, Instant now) {
        this.name = name;
        this.lanPrefixes = String.join(",", lanPrefixes);
        this.updatedAt = now;
    }

    UUID id() {
        return id;
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
