package dev.wgmesh.controller.enrolment;

import dev.wgmesh.controller.audit.AuditLog;
import dev.wgmesh.controller.enrolment.EnrolmentKeyRejectedException.Reason;
import dev.wgmesh.controller.network.NetworkService;
import dev.wgmesh.controller.site.SiteService;
import dev.wgmesh.controller.token.ApiTokenService;
import dev.wgmesh.controller.token.OpaqueSecret;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Enrolment keys: an agent presents one (over gRPC) to join a network, optionally a site.
 *
 * <p>Secrets look like {@code wgek_<id>_<random>} (see {@link OpaqueSecret}) and are stored as SHA-256 only.
 */
@Service
public class EnrolmentKeyService {
    static final OpaqueSecret SECRETS = new OpaqueSecret("wgek");
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(7);
    static final Duration MAX_LIFETIME = Duration.ofDays(365);

    private static final String TARGET = "enrolment_key";

    private final EnrolmentKeyRepository keys;
    private final NetworkService networks;
    private final SiteService sites;
    private final AuditLog audit;
    private final org.springframework.beans.factory.ObjectProvider<CaPin> caPin;

    EnrolmentKeyService(
            EnrolmentKeyRepository keys,
            NetworkService networks,
            SiteService sites,
            AuditLog audit,
            org.springframework.beans.factory.ObjectProvider<CaPin> caPin) {
        this.caPin = caPin;
        this.keys = keys;
        this.networks = networks;
        this.sites = sites;
        this.audit = audit;
    }

    /**
     * What to create.
     *
     * @param usageLimit one-shot keys: null or 1; reusable keys: null (unlimited until expiry) or at least 1
     * @param expiresAt null = {@link #DEFAULT_LIFETIME} from now; at most {@link #MAX_LIFETIME}
     * @param siteId optional; must be a site of the key's network
     */
    public record NewKey(String name, boolean reusable, Integer usageLimit, Instant expiresAt, UUID siteId) {}

    @Transactional
    public CreatedEnrolmentKey create(UUID networkId, NewKey spec, String createdBy) {
        requireNetwork(networkId);
        if (spec.siteId() != null) {
            sites.get(networkId, spec.siteId()); // 404 unless the site is in this network
        }
        Integer limit = checkedLimit(spec);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant expiry = spec.expiresAt() == null
                ? now.plus(DEFAULT_LIFETIME)
                : spec.expiresAt().truncatedTo(ChronoUnit.MICROS);
        ApiTokenService.checkExpiry(now, expiry, MAX_LIFETIME);
        UUID id = UUID.randomUUID();
        String secret = SECRETS.generate(id);
        String name = spec.name() == null || spec.name().isBlank()
                ? "enrolment key"
                : spec.name().strip();
        EnrolmentKey key = new EnrolmentKey(
                id, networkId, spec.siteId(), name, spec.reusable(), limit, 0, createdBy, now, expiry, null, null);
        keys.insert(key, OpaqueSecret.sha256Hex(secret));
        audit.record(TARGET + ".created", TARGET, id, null, auditView(key));
        CaPin pin = caPin.getIfAvailable();
        return CreatedEnrolmentKey.of(key, secret, pin == null ? null : pin.caFingerprint());
    }

    private static Integer checkedLimit(NewKey spec) {
        Integer limit = spec.usageLimit();
        if (limit != null && limit < 1) {
            throw new InvalidEnrolmentKeyRequestException("usageLimit must be at least 1 (omit it for unlimited)");
        }
        if (!spec.reusable()) {
            if (limit != null && limit != 1) {
                throw new InvalidEnrolmentKeyRequestException("A one-shot key has usageLimit 1; set reusable=true");
            }
            return 1;
        }
        return limit;
    }

    @Transactional(readOnly = true)
    public List<EnrolmentKey> list(UUID networkId) {
        requireNetwork(networkId);
        return keys.findByNetwork(networkId);
    }

    @Transactional
    public EnrolmentKey revoke(UUID networkId, UUID keyId) {
        EnrolmentKey before = keys.findById(keyId)
                .filter(k -> k.networkId().equals(networkId))
                .orElseThrow(() -> new EnrolmentKeyNotFoundException(networkId, keyId));
        keys.revoke(networkId, keyId, Instant.now().truncatedTo(ChronoUnit.MICROS));
        EnrolmentKey after =
                keys.findById(keyId).orElseThrow(() -> new EnrolmentKeyNotFoundException(networkId, keyId));
        audit.record(TARGET + ".revoked", TARGET, keyId, auditView(before), auditView(after));
        return after;
    }

    /** Non-secret fields only. */
    private static Map<String, Object> auditView(EnrolmentKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("networkId", k.networkId());
        m.put("siteId", k.siteId());
        m.put("name", k.name());
        m.put("reusable", k.reusable());
        m.put("usageLimit", k.usageLimit());
        m.put("expiresAt", k.expiresAt());
        m.put("revokedAt", k.revokedAt());
        return m;
    }

    /**
     * Checks a presented key and takes one use of it, atomically (see {@link EnrolmentKeyRepository#consumeOne}).
     *
     * <p>Joins the caller's transaction when there is one, so an enrolment that fails later (say, creating the
     * peer) rolls the use back with it.
     *
     * @throws EnrolmentKeyRejectedException when malformed, unknown, wrong, revoked, expired or used up
     */
    @Transactional
    public Redemption redeem(String secret) {
        Optional<UUID> id = SECRETS.idOf(secret);
        if (id.isEmpty()) {
            throw new EnrolmentKeyRejectedException(Reason.UNKNOWN);
        }
        Optional<EnrolmentKeyRepository.Stored> stored = keys.findStored(id.get());
        if (stored.isEmpty() || !OpaqueSecret.matches(secret, stored.get().secretSha256())) {
            throw new EnrolmentKeyRejectedException(Reason.UNKNOWN);
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        if (!keys.consumeOne(id.get(), now)) {
            throw new EnrolmentKeyRejectedException(whyUnusable(id.get(), now));
        }
        EnrolmentKey key = stored.get().key();
        return new Redemption(key.id(), key.networkId(), key.siteId());
    }

    /**
     * The key a presented secret names, when the secret matches it, without taking a use: lets an enrolment retry
     * find the identity its first (lost-response) attempt created, and tells the caller which network to prepare.
     */
    @Transactional(readOnly = true)
    public Optional<EnrolmentKey> identify(String secret) {
        Optional<UUID> id = SECRETS.idOf(secret);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return keys.findStored(id.get())
                .filter(s -> OpaqueSecret.matches(secret, s.secretSha256()))
                .map(EnrolmentKeyRepository.Stored::key);
    }

    /** After a refused consume: the reason as of now (re-read, since another redeemer may have just won). */
    private Reason whyUnusable(UUID id, Instant now) {
        EnrolmentKey key = keys.findById(id).orElse(null);
        if (key == null) {
            return Reason.UNKNOWN;
        }
        if (key.revokedAt() != null) {
            return Reason.REVOKED;
        }
        if (!key.expiresAt().isAfter(now)) {
            return Reason.EXPIRED;
        }
        return Reason.EXHAUSTED;
    }

    private void requireNetwork(UUID networkId) {
        networks.get(networkId); // NotFoundException (404) when absent
    }
}
