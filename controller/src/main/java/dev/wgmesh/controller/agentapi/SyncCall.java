package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.token.OpaqueSecret;
import dev.wgmesh.proto.v1.Ack;
import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.Capability;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.Hello;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateEncodingException;
import java.util.Optional;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Sync stream, agent side of it: Hello first (credential must match the agent id), then Acks, Keepalives,
 * StatsReports and AgentEvents. Protocol misuse ends the stream with a status naming the problem; nothing of a
 * malformed message is applied.
 */
final class SyncCall implements StreamObserver<AgentMessage> {
    private static final Logger log = LoggerFactory.getLogger(SyncCall.class);
    static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);
    static final int MAX_HASH_CHARS = 64;
    static final int MAX_ERROR_CHARS = 1000;

    private final SyncServices services;
    private final ServerCallStreamObserver<ControllerMessage> out;
    private final AgentCredentials credentials;
    private volatile AgentSession session;
    private volatile boolean finished;

    SyncCall(SyncServices services, ServerCallStreamObserver<ControllerMessage> out, AgentCredentials credentials) {
        this.services = services;
        this.out = out;
        this.credentials = credentials;
        out.setOnCancelHandler(this::ended);
        out.setOnReadyHandler(() -> {
            AgentSession s = session;
            if (s != null) {
                s.flush();
            }
        });
    }

    @Override
    public void onNext(AgentMessage message) {
        if (finished) {
            return;
        }
        AgentSession s = session;
        if (s == null) {
            if (message.getKindCase() != AgentMessage.KindCase.HELLO) {
                fail(Status.FAILED_PRECONDITION.withDescription("the first message of a Sync stream must be Hello"));
                return;
            }
            hello(message.getHello());
            return;
        }
        s.heard();
        switch (message.getKindCase()) {
            case HELLO -> fail(Status.FAILED_PRECONDITION.withDescription("Hello may only be sent once per stream"));
            case ACK -> ack(s, message.getAck());
            case KEEPALIVE -> {
                // liveness only (heard() above)
            }
            case STATS -> {
                try {
                    services.stats().ingest(s, message.getStats());
                } catch (IllegalArgumentException ex) {
                    fail(Status.INVALID_ARGUMENT.withDescription("stats: " + ex.getMessage()));
                }
            }
            case EVENT -> services.eventLog().record(s, message.getEvent());
            case KIND_NOT_SET -> fail(Status.INVALID_ARGUMENT.withDescription("empty AgentMessage (no kind set)"));
        }
    }

    private void hello(Hello hello) {
        UUID agentId;
        try {
            agentId = UUID.fromString(hello.getAgentId());
        } catch (IllegalArgumentException ex) {
            fail(Status.INVALID_ARGUMENT.withDescription("hello.agent_id: not a UUID"));
            return;
        }
        if (!hello.getWireguardPublicKey().isEmpty()
                && hello.getWireguardPublicKey().size() != 32) {
            fail(Status.INVALID_ARGUMENT.withDescription("hello.wireguard_public_key: must be 32 bytes or empty"));
            return;
        }
        if (hello.getAppliedConfigHash().length() > MAX_HASH_CHARS) {
            fail(Status.INVALID_ARGUMENT.withDescription("hello.applied_config_hash: too long"));
            return;
        }
        Optional<AgentStore.Credential> stored = services.store().credential(agentId);
        Status denied = authenticate(agentId, stored);
        if (denied != null) {
            fail(denied);
            return;
        }
        long retryAfter = services.admission().tryAdmit();
        if (retryAfter > 0) {
            Metadata trailers = new Metadata();
            trailers.put(RETRY_AFTER, Long.toString(retryAfter));
            finished = true;
            out.onError(Status.RESOURCE_EXHAUSTED
                    .withDescription("too many agents connecting; retry after " + retryAfter + " ms")
                    .asRuntimeException(trailers));
            return;
        }
        AgentStore.Credential c = stored.orElseThrow();
        AgentSession s = new AgentSession(
                agentId,
                c.peerId(),
                c.networkId(),
                hello.getCapabilitiesList().contains(Capability.CAPABILITY_DELTAS),
                out,
                services.hub().scheduler(),
                services.hub());
        session = s;
        services.hub().attach(s, hello);
    }

    /** Null when the presented credential belongs to this agent and is not revoked; otherwise the refusal. */
    private Status authenticate(UUID agentId, Optional<AgentStore.Credential> stored) {
        if (credentials.clientCertificate() == null && credentials.bearer() == null) {
            return Status.UNAUTHENTICATED.withDescription("no credential: use the client certificate from Enroll");
        }
        if (stored.isEmpty()) {
            return Status.UNAUTHENTICATED.withDescription("unknown agent");
        }
        AgentStore.Credential c = stored.get();
        boolean match;
        if (credentials.clientCertificate() != null) {
            String cn = commonName(credentials.clientCertificate().getSubjectX500Principal());
            try {
                match = agentId.toString().equals(cn)
                        && ControllerCa.fingerprintOf(
                                        credentials.clientCertificate().getEncoded())
                                .equals(c.credentialSha256());
            } catch (CertificateEncodingException ex) {
                match = false;
            }
        } else {
            match = ("bearer:" + OpaqueSecret.sha256Hex(credentials.bearer())).equals(c.credentialSha256());
        }
        if (!match) {
            return Status.UNAUTHENTICATED.withDescription("the credential does not belong to agent " + agentId);
        }
        if (c.revokedAt() != null) {
            return Status.PERMISSION_DENIED.withDescription("the agent's credential was revoked");
        }
        return null;
    }

    private static String commonName(X500Principal p) {
        for (String part : p.getName(X500Principal.RFC2253).split(",")) {
            if (part.startsWith("CN=")) {
                return part.substring(3);
            }
        }
        return null;
    }

    private void ack(AgentSession s, Ack ack) {
        if (ack.getRevision() == 0) {
            fail(Status.INVALID_ARGUMENT.withDescription("ack.revision: must be at least 1"));
            return;
        }
        if (ack.getRevision() > s.revision()) {
            fail(Status.INVALID_ARGUMENT.withDescription(
                    "ack.revision: " + ack.getRevision() + " was never sent (latest " + s.revision() + ")"));
            return;
        }
        if (ack.getConfigHash().length() > MAX_HASH_CHARS) {
            fail(Status.INVALID_ARGUMENT.withDescription("ack.config_hash: too long"));
            return;
        }
        String error = ack.getError().length() > MAX_ERROR_CHARS
                ? ack.getError().substring(0, MAX_ERROR_CHARS)
                : ack.getError();
        services.hub().acked(s, ack.getRevision(), ack.getSuccess(), ack.getConfigHash(), error);
        if (!ack.getSuccess()) {
            log.info("Agent {} could not apply revision {}: {}", s.agentId, ack.getRevision(), error);
        }
    }

    private void fail(Status status) {
        finished = true;
        AgentSession s = session;
        if (s != null) {
            s.close(status);
            services.hub().detach(s);
        } else {
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // already cancelled
            }
        }
    }

    private void ended() {
        finished = true;
        AgentSession s = session;
        if (s != null) {
            services.hub().detach(s);
        }
    }

    @Override
    public void onError(Throwable t) {
        ended();
    }

    @Override
    public void onCompleted() {
        AgentSession s = session;
        if (s != null) {
            // Before ended(): that marks the session closed, after which close() no longer ends the call and the
            // agent's half-closed stream would stay open on our side.
            s.close(Status.OK);
            ended();
        } else {
            finished = true;
            try {
                out.onCompleted();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }
}
