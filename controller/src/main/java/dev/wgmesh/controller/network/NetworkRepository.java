package dev.wgmesh.controller.network;

import jakarta.persistence.LockModeType;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface NetworkRepository extends JpaRepository<NetworkEntity, UUID> {
    Page<NetworkEntity> findByNameContainingIgnoreCase(String name, Pageable pageable);

    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select n from NetworkEntity n where n.id = :id")
    Optional<NetworkEntity> findByIdForUpdate(UUID id);

    @Lock(LockModeType.PESSIMISTIC_READ)
    @Query("select n from NetworkEntity n where n.id = :id")
    Optional<NetworkEntity> findByIdForShare(UUID id);
}
