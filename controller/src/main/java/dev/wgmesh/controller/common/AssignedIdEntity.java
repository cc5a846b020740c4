package dev.wgmesh.controller.common;

import jakarta.persistence.Column;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PostLoad;
import jakarta.persistence.PostPersist;
import jakarta.persistence.Transient;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;
import org.springframework.data.domain.Persistable;

/**
 * What every resource entity shares: an id assigned by us (UUID), creation and update times, and an optimistic-lock
 * version (surfaced as the ETag).
 *
 * <p>Ids are assigned here, so Spring Data cannot tell new from stored by the id: without the {@code isNew} flag
 * every insert would first be a merge (an extra SELECT).
 */
@MappedSuperclass
public abstract class AssignedIdEntity implements Persistable<UUID> {
    @Transient
    private boolean isNew = true;

    @Id
    private UUID id;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private Long version;

    protected AssignedIdEntity() {}

    protected AssignedIdEntity(UUID id, Instant now) {
        this.id = id;
        this.createdAt = now;
        this.updatedAt = now;
    }

    /** Records a change; call from every mutator. */
    protected void touch(Instant now) {
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

    public UUID id() {
        return id;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public long version() {
        return version == null ? 0 : version;
    }
}
