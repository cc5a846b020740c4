package dev.wgmesh.controller.site;

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
@Table(name = "site")
class SiteEntity implements Persistable<UUID> {
    /**
     * Ids are assigned here, so Spring Data cannot tell new from stored by the id: without this flag every insert
     * would first be a merge (an extra SELECT).
     */
    @Transient
    private boolean isNew = true;

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
