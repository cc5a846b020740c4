package dev.wgmesh.controller.peer;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.data.jpa.repository.Query;

interface PeerRepository extends JpaRepository<PeerEntity, UUID>, JpaSpecificationExecutor<PeerEntity> {
    Optional<PeerEntity> findByIdAndNetworkId(UUID id, UUID networkId);

    long countByNetworkId(UUID networkId);

    @Query("select p from PeerEntity p where p.networkId = :networkId and p.kind = :kind and p.enabled = true"
            + " and p.endpoint is not null order by p.createdAt, p.name")
    List<PeerEntity> findEnabledWithEndpoint(UUID networkId, PeerKind kind);
}
