package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.controller.common.ConflictException;
import dev.wgmesh.controller.common.InvalidInputException;
import dev.wgmesh.controller.enrolment.EnrolmentKey;
import dev.wgmesh.controller.enrolment.EnrolmentKeyRejectedException;
import dev.wgmesh.controller.enrolment.EnrolmentKeyService;
import dev.wgmesh.controller.enrolment.Redemption;
import dev.wgmesh.controller.ipam.Cidr;
import dev.wgmesh.controller.ipam.IpAddress;
import dev.wgmesh.controller.peer.Peer;
import dev.wgmesh.controller.peer.PeerKind;
import dev.wgmesh.controller.peer.PeerRequest;
import dev.wgmesh.controller.peer.PeerService;
import dev.wgmesh.controller.site.SiteService;
import dev.wgmesh.controller.token.OpaqueSecret;
import dev.wgmesh.proto.v1.EnrollRequest;
import dev.wgmesh.proto.v1.EnrollResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * {@code Enroll}: trades an enrolment key + WireGuard public key (+ CSR) for an identity and a credential.
 *
 * <p>The AGENT peer (tunnel addresses from IPAM), the key's use and the agent record commit in one transaction (the
 * peer's insert transaction, see {@link PeerService#create(UUID, PeerRequest, java.util.function.Consumer)}); any
 * failure leaves nothing behind and no use consumed. A retry with the same key and public key returns the same
 * identity with a fresh credential, consuming nothing (the first response may have been lost).
 */
@Component
class AgentEnroller {
    static final int MAX_KEY_CHARS = 256;
    static final int MAX_CSR_BYTES = 8192;
    private static final String BEARER_PREFIX = "wga_";

    private final EnrolmentKeyService keys;
    private final PeerService peers;
    private final AgentStore agents;
    private final ControllerCa ca;
    private final SiteService sites;
    private final SecureRandom random = new SecureRandom();

    AgentEnroller(EnrolmentKeyService keys, PeerService peers, AgentStore agents, ControllerCa ca, SiteService sites) {
        this.keys = keys;
        this.peers = peers;
        this.agents = agents;
        this.ca = ca;
        this.sites = sites;
    }

    EnrollResponse enroll(EnrollRequest request) {
        String secret = request.getEnrolmentKey().strip();
        if (secret.isEmpty() || secret.length() > MAX_KEY_CHARS) {
            throw invalid("enrolment_key: required, at most " + MAX_KEY_CHARS + " characters");
        }
        if (request.getWireguardPublicKey().size() != 32) {
            throw invalid("wireguard_public_key: must be 32 bytes (X25519)");
        }
        if (request.getCsrDer().size() > MAX_CSR_BYTES) {
            throw invalid("csr_der: larger than " + MAX_CSR_BYTES + " bytes");
        }
        String publicKey = Base64.getEncoder()
                .encodeToString(request.getWireguardPublicKey().toByteArray());
        EnrolmentKey key = keys.identify(secret).orElseThrow(() -> Status.UNAUTHENTICATED
                .withDescription("enrolment key not valid")
                .asRuntimeException());
        byte[] csr = request.getCsrDer().toByteArray();

        Optional<Agent> earlier = agents.findEnrolled(key.id(), publicKey);
        if (earlier.isPresent()) {
            Agent a = earlier.get();
            if (a.revokedAt() != null) {
                throw Status.PERMISSION_DENIED.withDescription("agent revoked").asRuntimeException();
            }
            Issued cred = issue(csr, a.id());
            agents.replaceCredential(a.id(), cred.sha256());
            Peer peer = peers.get(a.networkId(), a.peerId());
            return response(a.id(), a.networkId(), a.siteId(), peer, cred);
        }

        UUID agentId = UUID.randomUUID();
        Issued cred = issue(csr, agentId); // before the transaction: a bad CSR fails without side effects
        PeerRequest peerRequest = new PeerRequest(
                peerName(request.getHost().getHostname(), agentId),
                PeerKind.AGENT,
                key.siteId(),
                publicKey,
                null,
                null,
                endpoint(
                        request.getHost().getInterfaceAddressesList(),
                        request.getHost().getListenPort(),
                        routedLans(key.networkId())),
                request.getHost().getListenPort() == 0
                        ? null
                        : request.getHost().getListenPort(),
                null,
                true,
                null,
                List.of("agent"));
        AtomicReference<Redemption> redeemed = new AtomicReference<>();
        try {
            Peer peer = peers.create(key.networkId(), peerRequest, created -> {
                Redemption r = keys.redeem(secret);
                redeemed.set(r);
                agents.insert(
                        agentId,
                        created.id(),
                        r.networkId(),
                        r.siteId(),
                        r.keyId(),
                        publicKey,
                        cred.sha256(),
                        truncate(request.getHost().getHostname(), 255),
                        truncate(request.getHost().getAgentVersion(), 64));
            });
            return response(agentId, peer.networkId(), peer.siteId(), peer, cred);
        } catch (EnrolmentKeyRejectedException ex) {
            Status status =
                    switch (ex.reason()) {
                        case UNKNOWN -> Status.UNAUTHENTICATED.withDescription("enrolment key not valid");
                        case REVOKED -> Status.PERMISSION_DENIED.withDescription("enrolment key revoked");
                        case EXPIRED -> Status.PERMISSION_DENIED.withDescription("enrolment key expired");
                        case EXHAUSTED -> Status.RESOURCE_EXHAUSTED.withDescription("enrolment key used up");
                    };
            throw status.asRuntimeException();
        } catch (InvalidInputException ex) {
            throw invalid(ex.getMessage());
        } catch (ConflictException ex) {
            String message = ex.getMessage() == null ? "conflict" : ex.getMessage();
            throw (message.contains("no free address") ? Status.RESOURCE_EXHAUSTED : Status.INVALID_ARGUMENT)
                    .withDescription(message)
                    .asRuntimeException();
        }
    }

    /** Client certificate for the CSR, or a bearer secret when none was sent. Stored: only a SHA-256. */
    private Issued issue(byte[] csr, UUID agentId) {
        if (csr.length == 0) {
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            String bearer =
                    BEARER_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            return new Issued(null, bearer, "bearer:" + OpaqueSecret.sha256Hex(bearer));
        }
        X509Certificate cert;
        try {
            cert = ca.issueClientCertificate(csr, agentId);
            return new Issued(cert.getEncoded(), null, ControllerCa.fingerprintOf(cert.getEncoded()));
        } catch (IllegalArgumentException ex) {
            throw invalid(ex.getMessage());
        } catch (CertificateEncodingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private EnrollResponse response(UUID agentId, UUID networkId, UUID siteId, Peer peer, Issued cred) {
        EnrollResponse.Builder b = EnrollResponse.newBuilder()
                .setAgentId(agentId.toString())
                .setNetworkId(networkId.toString())
                .setSiteId(siteId == null ? "" : siteId.toString())
                .addAllTunnelAddresses(peer.tunnelHostPrefixes());
        try {
            b.addCaCertificatesDer(ByteString.copyFrom(ca.certificate().getEncoded()));
        } catch (CertificateEncodingException ex) {
            throw new IllegalStateException(ex);
        }
        if (cred.certificateDer() != null) {
            b.setClientCertificateDer(ByteString.copyFrom(cred.certificateDer()));
        } else {
            b.setBearerSecret(cred.bearer());
        }
        return b.build();
    }

    /** A valid, unique peer name (Names.REGEX) from the host name. */
    static String peerName(String hostname, UUID agentId) {
        String base = hostname == null ? "" : hostname.replaceAll("[^A-Za-z0-9._-]", "-");
        base = base.replaceFirst("^[^A-Za-z0-9]+", "");
        if (base.isEmpty()) {
            base = "agent";
        }
        if (base.length() > 50) {
            base = base.substring(0, 50);
        }
        return base + "-" + agentId.toString().substring(0, 8);
    }

    /** The LAN prefixes of the network's sites: agents route them into their tunnels. */
    private List<Cidr> routedLans(UUID networkId) {
        return sites.all(networkId).stream()
                .flatMap(s -> s.lanPrefixes().stream())
                .toList();
    }

    /**
     * The first global unicast interface address with the listen port; null when unknown.
     *
     * <p>Addresses inside {@code routedLans} are skipped: a site router has an address on the LAN it serves, and the
     * other agents route that LAN into their tunnels, so handshakes sent to it would go into the sender's own tunnel
     * and never arrive (seen as handshake initiations sent and nothing received, on every link of the site).
     */
    static String endpoint(List<String> addresses, int port, List<Cidr> routedLans) {
        if (port <= 0 || port > 65535) {
            return null;
        }
        for (String a : addresses) {
            String literal = a.contains("/") ? a.substring(0, a.indexOf('/')) : a;
            if (!literal.matches("[0-9a-fA-F:.]+")) {
                continue; // literal addresses only: never resolve names given by an unauthenticated caller
            }
            try {
                InetAddress ip = InetAddress.ofLiteral(literal);
                if (ip.isLoopbackAddress()
                        || ip.isLinkLocalAddress()
                        || ip.isAnyLocalAddress()
                        || ip.isMulticastAddress()) {
                    continue;
                }
                String host = ip.getHostAddress().replaceAll("%.*", "");
                if (insideAny(host, routedLans)) {
                    continue;
                }
                return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
            } catch (IllegalArgumentException ignored) {
                // not a literal: skip
            }
        }
        return null;
    }

    private static boolean insideAny(String literal, List<Cidr> prefixes) {
        IpAddress a = IpAddress.parse(literal);
        for (Cidr p : prefixes) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static String truncate(String s, int max) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    /** A credential; the bearer secret exists only in memory until it is sent. */
    private record Issued(byte[] certificateDer, String bearer, String sha256) {
        @Override
        public String toString() {
            return "Issued[***]";
        }
    }
}
