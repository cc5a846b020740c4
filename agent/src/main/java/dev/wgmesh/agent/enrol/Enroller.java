package dev.wgmesh.agent.enrol;

import com.google.protobuf.ByteString;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.EnrollRequest;
import dev.wgmesh.proto.v1.EnrollResponse;
import dev.wgmesh.proto.v1.HostFacts;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLHandshakeException;

/**
 * First-run enrolment: trades the join token for the agent's identity and client certificate.
 *
 * <ol>
 *   <li>the X25519 key pair and the TLS key are created (or reused after an interrupted attempt) in the state dir;
 *   <li>the TLS connection trusts only a server whose chain holds the CA the join token pins
 *       ({@link PinnedCaTrustManager}); a mismatch fails the handshake before the enrolment key is sent;
 *   <li>Enroll sends the secret, the public key and a CSR; the answer's CA must be the pinned CA and the issued
 *       certificate must carry our TLS key;
 *   <li>{@code tls.crt}, {@code ca.crt} and {@code identity.json} are written (identity last: its presence means
 *       "enrolled").
 * </ol>
 * A retried Enroll after a lost answer is idempotent on the controller for the same key and public key.
 */
public final class Enroller {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final Function<ChannelCredentials, ManagedChannel> channels;

    /** @param channels opens a channel to the controller with the given credentials (tests pass in-process ones) */
    public Enroller(Function<ChannelCredentials, ManagedChannel> channels) {
        this.channels = channels;
    }

    public static Enroller forTarget(String controller) {
        return new Enroller(creds -> Grpc.newChannelBuilder(controller, creds).build());
    }

    public AgentIdentity enrol(String controller, JoinToken token, StateDir state, HostFacts facts)
            throws EnrolmentException, IOException {
        byte[] wgPrivate = WireGuardKey.loadOrCreate(state);
        KeyPair tlsKey = TlsCredentials.loadOrCreateKey(state);
        EnrollRequest request = EnrollRequest.newBuilder()
                .setEnrolmentKey(token.secret())
                .setWireguardPublicKey(ByteString.copyFrom(WireGuardKey.publicKey(wgPrivate)))
                .setHost(facts)
                .setCsrDer(ByteString.copyFrom(TlsCredentials.csr(tlsKey)))
                .build();
        PinnedCaTrustManager pinned = new PinnedCaTrustManager(token.caSha256());
        ManagedChannel channel = channels.apply(
                TlsChannelCredentials.newBuilder().trustManager(pinned).build());
        EnrollResponse response;
        try {
            response = AgentServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .enroll(request);
        } catch (StatusRuntimeException ex) {
            throw explain(controller, ex, token);
        } finally {
            channel.shutdownNow();
        }
        X509Certificate ca = pinnedCa(response, token);
        if (response.getClientCertificateDer().isEmpty()) {
            throw new EnrolmentException("the controller issued no client certificate for our CSR");
        }
        X509Certificate cert = TlsCredentials.readCertificate(
                response.getClientCertificateDer().toByteArray());
        if (!MessageDigest.isEqual(
                cert.getPublicKey().getEncoded(), tlsKey.getPublic().getEncoded())) {
            throw new EnrolmentException("the certificate the controller issued is not for our TLS key");
        }
        try {
            cert.verify(ca.getPublicKey());
        } catch (java.security.GeneralSecurityException ex) {
            throw new EnrolmentException("the certificate the controller issued is not signed by its CA", ex);
        }
        TlsCredentials.store(state, cert, ca);
        AgentIdentity identity = new AgentIdentity(
                response.getAgentId(),
                response.getNetworkId(),
                response.getSiteId(),
                controller,
                response.getTunnelAddressesList());
        identity.store(state);
        return identity;
    }

    private static X509Certificate pinnedCa(EnrollResponse response, JoinToken token)
            throws EnrolmentException, IOException {
        for (ByteString der : response.getCaCertificatesDerList()) {
            X509Certificate c = TlsCredentials.readCertificate(der.toByteArray());
            if (MessageDigest.isEqual(PinnedCaTrustManager.sha256(c), token.caSha256())) {
                return c;
            }
        }
        throw new EnrolmentException("the controller's answer does not carry the pinned CA " + token.caFingerprint());
    }

    private static EnrolmentException explain(String controller, StatusRuntimeException ex, JoinToken token) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof java.security.cert.CertificateException) {
                return new EnrolmentException(
                        "refusing to enrol: TLS with " + controller + " failed (" + rootMessage(t) + "); expected CA "
                                + token.caFingerprint(),
                        ex);
            }
        }
        String what =
                switch (ex.getStatus().getCode()) {
                    case UNAUTHENTICATED -> "the controller does not know this enrolment key (mistyped or deleted)";
                    case PERMISSION_DENIED -> "the enrolment key is revoked or expired";
                    case RESOURCE_EXHAUSTED -> "the enrolment key has no uses left";
                    case INVALID_ARGUMENT ->
                        "the controller rejected the request: " + ex.getStatus().getDescription();
                    case UNAVAILABLE, DEADLINE_EXCEEDED -> "the controller " + controller + " is unreachable";
                    default -> "enrolment failed: " + ex.getStatus();
                };
        boolean retry = ex.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE
                || ex.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED;
        return new EnrolmentException(what, ex, retry);
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null) {
            r = r.getCause();
        }
        return r.getMessage();
    }
}
