package dev.wgmesh.controller.peer;

import dev.wgmesh.controller.common.AssignedIdEntity;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.hibernate.annotations.BatchSize;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** Row of table {@code peer}. No toString: it would be one refactoring away from printing the sealed key. */
@Entity
@Table(name = "peer")
class PeerEntity extends AssignedIdEntity {
    @Column(name = "network_id", nullable = false, updatable = false)
    private UUID networkId;

    @Column(name = "site_id")
    private UUID siteId;

    @Column(nullable = false)
    private String name;

    @Enumerated(EnumType.STRING)
    @JdbcTypeCode(SqlTypes.VARCHAR)
    @Column(nullable = false, updatable = false, length = 8)
    private PeerKind kind;

    @Column(name = "public_key", nullable = false, updatable = false)
    private String publicKey;

    @Column(name = "private_key_sealed", updatable = false)
    private String privateKeySealed;

    @Column(name = "tunnel_ipv4", nullable = false)
    private String tunnelIpv4;

    @Column(name = "tunnel_ipv6")
    private String tunnelIpv6;

    private String endpoint;

    @Column(name = "listen_port")
    private Integer listenPort;

    @Column(name = "persistent_keepalive")
    private Integer persistentKeepalive;

    @Column(nullable = false)
    private boolean enabled;

    @Column(name = "expires_at")
    private Instant expiresAt;

    @ElementCollection
    @CollectionTable(name = "peer_tag", joinColumns = @JoinColumn(name = "peer_id"))
    @Column(name = "tag", nullable = false)
    @BatchSize(size = 200) // one query for the tags of a whole page, not one per peer
    private Set<String> tags = new HashSet<>();

    protected PeerEntity() {}

    PeerEntity(
            UUID id,
            UUID networkId,
            PeerKind kind,
            String publicKey,
            String privateKeySealed,
            String tunnelIpv4,
            String tunnelIpv6,
            Instant now) {
        super(id, now);
        this.networkId = networkId;
        this.kind = kind;
        this.publicKey = publicKey;
        this.privateKeySealed = privateKeySealed;
        this.tunnelIpv4 = tunnelIpv4;
        this.tunnelIpv6 = tunnelIpv6;
    }

    /** Applies the fields a PUT may change. */
    void apply(PeerSpec s, Instant now) {
        this.name = s.name();
        this.siteId = s.siteId();
        this.endpoint = s.endpoint();
        this.listenPort = s.listenPort();
        this.persistentKeepalive = s.persistentKeepalive();
        this.enabled = s.enabled();
        this.expiresAt = s.expiresAt();
        this.tags.clear();
        this.tags.addAll(s.tags());
        touch(now);
    }

    UUID networkId() {
        return networkId;
    }

    UUID siteId() {
        return siteId;
    }

    String name() {
        return name;
    }

    PeerKind kind() {
        return kind;
    }

    String publicKey() {
        return publicKey;
    }

    String privateKeySealed() {
        return privateKeySealed;
    }

    String tunnelIpv4() {
        return tunnelIpv4;
    }

    String tunnelIpv6() {
        return tunnelIpv6;
    }

    String endpoint() {
        return endpoint;
    }

    Integer listenPort() {
        return listenPort;
    }

    Integer persistentKeepalive() {
        return persistentKeepalive;
    }

    boolean enabled() {
        return enabled;
    }

    Instant expiresAt() {
        return expiresAt;
    }

    Set<String> tags() {
        return tags;
    }
}
