package dev.wgmesh.controller.token;

import dev.wgmesh.controller.audit.AuditLog;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * API tokens: creation (secret returned once), listing, revocation, and authentication of presented secrets.
 *
 * <p>Last-used time is written at most once per {@code wgmesh.security.token-last-used-interval} (default 60 s)
 * per token: an in-memory note skips the database entirely in between, and the guarded UPDATE keeps replicas
 * from each writing on every request. The token row itself is read at most once per {@code
 * wgmesh.security.token-cache-ttl} (default 2 s) per token ({@link VerifiedTokenCache}): a revocation applies at
 * once on the replica that revoked, and within that time on the others.
 */
@Service
public class ApiTokenService {
    public static final OpaqueSecret SECRETS = new OpaqueSecret("wgm");
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(90);
    static final Duration MAX_LIFETIME = Duration.ofDays(730);
    /** Bounds the last-used notes; tokens are created by hand, so this is never reached in practice. */
    private static final int MAX_NOTES = 10_000;

    private static final String TARGET = "api_token";

    private final ApiTokenRepository tokens;
    private final AuditLog audit;
    private final Duration lastUsedInterval;
    private final Map<UUID, Instant> lastUsedWritten = new ConcurrentHashMap<>();
    private final VerifiedTokenCache verified;

    ApiTokenService(
            ApiTokenRepository tokens,
            AuditLog audit,
            @Value("${wgmesh.security.token-last-used-interval:60s}") Duration lastUsedInterval,
            @Value("${wgmesh.security.token-cache-ttl:2s}") Duration cacheTtl) {
        this.tokens = tokens;
        this.verified = new VerifiedTokenCache(cacheTtl);
        this.audit = audit;
        this.lastUsedInterval = lastUsedInterval;
    }

    /**
     * Creates a token. {@code expiresAt} null means {@link #DEFAULT_LIFETIME}; it must lie in the future and at
     * most {@link #MAX_LIFETIME} ahead.
     */
    @Transactional
    public CreatedApiToken create(String name, TokenScope scope, Instant expiresAt, String createdBy) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant expiry = expiresAt == null ? now.plus(DEFAULT_LIFETIME) : expiresAt.truncatedTo(ChronoUnit.MICROS);
        checkExpiry(now, expiry, MAX_LIFETIME);
        UUID id = UUID.randomUUID();
        String secret = SECRETS.generate(id);
        ApiToken token = new ApiToken(id, name.strip(), scope, createdBy, now, expiry, null, null);
        tokens.insert(token, OpaqueSecret.sha256Hex(secret));
        audit.record(TARGET + ".created", TARGET, id, null, auditView(token));
        return new CreatedApiToken(token, secret);
    }

    /** Shared by tokens and enrolment keys: expiry strictly after {@code now}, at most {@code max} ahead. */
    public static void checkExpiry(Instant now, Instant expiry, Duration max) {
        if (!expiry.isAfter(now)) {
            throw new InvalidExpiryException("expiresAt must be in the future");
        }
        if (expiry.isAfter(now.plus(max))) {
            throw new InvalidExpiryException("expiresAt must be at most " + max.toDays() + " days ahead");
        }
    }

    @Transactional(readOnly = true)
    public List<ApiToken> list() {
        return tokens.findAll();
    }

    @Transactional
    public ApiToken revoke(UUID id) {
        if (!tokens.revoke(id, Instant.now().truncatedTo(ChronoUnit.MICROS))) {
            throw new ApiTokenNotFoundException(id);
        }
        lastUsedWritten.remove(id);
        verified.forget(id);
        afterCommit(() -> verified.forget(id)); // a request that read the row before the commit may have put it back
        ApiToken revoked = tokens.findById(id).orElseThrow(() -> new ApiTokenNotFoundException(id));
        audit.record(TARGET + ".revoked", TARGET, id, null, auditView(revoked));
        return revoked;
    }

    /** Non-secret fields only. */
    private static Map<String, Object> auditView(ApiToken t) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("name", t.name());
        m.put("scope", t.scope().name());
        m.put("expiresAt", t.expiresAt());
        m.put("revokedAt", t.revokedAt());
        return m;
    }

    /**
     * The active token a presented secret belongs to, or empty when it is malformed, unknown, wrong, expired or
     * revoked (the caller answers all of these with the same 401).
     */
    public Optional<ApiToken> authenticate(String secret) {
        Optional<UUID> id = SECRETS.idOf(secret);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        Optional<ApiTokenRepository.Stored> stored = verified.get(id.get());
        if (stored.isEmpty()) {
            stored = tokens.findStored(id.get());
            stored.ifPresent(verified::remember);
        }
        Instant now = Instant.now();
        if (stored.isEmpty()
                || !OpaqueSecret.matches(secret, stored.get().secretSha256())
                || !stored.get().token().isActive(now)) {
            return Optional.empty();
        }
        noteUse(id.get(), now);
        return Optional.of(stored.get().token());
    }

    private static void afterCommit(Runnable action) {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    action.run();
                }
            });
        }
    }

    private void noteUse(UUID id, Instant now) {
        Instant previous = lastUsedWritten.get(id);
        if (previous != null && previous.isAfter(now.minus(lastUsedInterval))) {
            return;
        }
        if (lastUsedWritten.size() >= MAX_NOTES) {
            lastUsedWritten.clear();
        }
        lastUsedWritten.put(id, now);
        Instant stamp = now.truncatedTo(ChronoUnit.MICROS);
        tokens.touchLastUsed(id, stamp, stamp.minus(lastUsedInterval));
    }
}
