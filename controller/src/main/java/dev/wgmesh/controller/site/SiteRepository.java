package dev.wgmesh.controller.site;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;

interface SiteRepository extends JpaRepository<SiteEntity, UUID> {
    Optional<SiteEntity> findByIdAndNetworkId(UUID id, UUID networkId);

    List<SiteEntity> findByNetworkId(UUID networkId);

    long countByNetworkId(UUID networkId);

    Page<SiteEntity> findByNetworkId(UUID networkId, Pageable pageable);

    Page<SiteEntity> findByNetworkIdAndNameContainingIgnoreCase(UUID networkId, String name, Pageable pageable);
}
