package dev.wgmesh.agent.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.wgmesh.agent.StateDir;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.EnrollRequest;
import dev.wgmesh.proto.v1.EnrollResponse;
import dev.wgmesh.proto.v1.HostFacts;
import dev.wgmesh.proto.v1.PingRequest;
import dev.wgmesh.proto.v1.PingResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Enrolment over real gRPC + TLS on loopback against a controller-like CA. */
@Timeout(60)
class EnrollerTest {
    @TempDir
    Path dir;

    private TestPki pki;
    private Server server;
    private String target;
    private final AtomicInteger enrolCalls = new AtomicInteger();
    private final List<String> pingClientSubjects = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startController() throws Exception {
        pki = new TestPki("wgmesh test CA");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pki.serverKey.getPrivate(), new char[0], new X509Certificate[] {pki.server, pki.ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        TlsServerCredentials.Builder creds = TlsServerCredentials.newBuilder()
                .keyManager(kmf.getKeyManagers())
                .trustManager(TlsCredentials.trustManagers(pki.ca))
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL);
        AgentServiceGrpc.AgentServiceImplBase service = new AgentServiceGrpc.AgentServiceImplBase() {
            @Override
            public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> responses) {
                enrolCalls.incrementAndGet();
                if (!request.getEnrolmentKey().equals("wgek_good")) {
                    responses.onError(Status.UNAUTHENTICATED.asRuntimeException());
                    return;
                }
                try {
                    X509Certificate cert = pki.issue(request.getCsrDer().toByteArray(), "agent-7");
                    responses.onNext(EnrollResponse.newBuilder()
                            .setAgentId("agent-7")
                            .setNetworkId("net-1")
                            .setClientCertificateDer(ByteString.copyFrom(cert.getEncoded()))
                            .addCaCertificatesDer(ByteString.copyFrom(pki.ca.getEncoded()))
                            .addTunnelAddresses("10.99.0.7/32")
                            .build());
                    responses.onCompleted();
                } catch (Exception ex) {
                    responses.onError(Status.INTERNAL.withCause(ex).asRuntimeException());
                }
            }

            @Override
            public void ping(PingRequest request, StreamObserver<PingResponse> responses) {
                responses.onNext(
                        PingResponse.newBuilder().setControllerVersion("test").build());
                responses.onCompleted();
            }
        };
        ServerInterceptor recordClientCert = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, io.grpc.Metadata headers, ServerCallHandler<Q, R> next) {
                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                try {
                    pingClientSubjects.add(((X509Certificate) session.getPeerCertificates()[0])
                            .getSubjectX500Principal()
                            .getName());
                } catch (Exception ex) {
                    pingClientSubjects.add("none");
                }
                return next.startCall(call, headers);
            }
        };
        server = Grpc.newServerBuilderForPort(0, creds.build())
                .addService(ServerInterceptors.intercept(service, recordClientCert))
                .build()
                .start();
        target = "localhost:" + server.getPort();
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private String pinHex(X509Certificate ca) {
        return HexFormat.of().formatHex(PinnedCaTrustManager.sha256(ca));
    }

    @Test
    void enrolsWithThePinnedCaStoresOwnerOnlyFilesAndThenUsesMutualTls() throws Exception {
        StateDir state = StateDir.open(dir.resolve("s"));
        JoinToken token = JoinToken.parse("wgek_good." + pinHex(pki.ca), null);

        AgentIdentity id = Enroller.forTarget(target).enrol(target, token, state, HostFacts.getDefaultInstance());

        assertThat(id.agentId()).isEqualTo("agent-7");
        assertThat(id.tunnelAddresses()).containsExactly("10.99.0.7/32");
        assertThat(AgentIdentity.load(state)).contains(id);
        for (String f : List.of("wireguard.key", "tls.key", "tls.crt", "ca.crt", "identity.json")) {
            assertThat(PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(state.path().resolve(f))))
                    .as(f)
                    .isEqualTo("rw-------");
        }
        assertThat(Keys.fromBase64(
                        Files.readString(state.path().resolve("wireguard.key")).trim()))
                .hasSize(32);

        TlsCredentials tls = TlsCredentials.load(state).orElseThrow();
        assertThat(tls.ca()).isEqualTo(pki.ca);
        ManagedChannel ch =
                Grpc.newChannelBuilder(target, tls.channelCredentials()).build();
        try {
            AgentServiceGrpc.newBlockingStub(ch).ping(PingRequest.getDefaultInstance());
        } finally {
            ch.shutdownNow();
        }
        assertThat(pingClientSubjects.getLast()).isEqualTo("CN=agent-7");
    }

    @Test
    void wrongCaPinIsRefusedBeforeTheKeyIsSent() throws Exception {
        StateDir state = StateDir.open(dir.resolve("s"));
        TestPki other = new TestPki("someone else's CA");
        JoinToken token = JoinToken.parse("wgek_good." + pinHex(other.ca), null);

        assertThatThrownBy(() -> Enroller.forTarget(target).enrol(target, token, state, HostFacts.getDefaultInstance()))
                .isInstanceOf(EnrolmentException.class)
                .hasMessageContaining("refusing to enrol")
                .hasMessageContaining("does not match the pinned fingerprint")
                .satisfies(
                        ex -> assertThat(((EnrolmentException) ex).retryable()).isFalse());
        assertThat(enrolCalls).hasValue(0);
        assertThat(AgentIdentity.load(state)).isEmpty();
    }

    @Test
    void unknownEnrolmentKeyIsAClearRefusal() throws Exception {
        StateDir state = StateDir.open(dir.resolve("s"));
        JoinToken token = JoinToken.parse("wgek_bad." + pinHex(pki.ca), null);
        assertThatThrownBy(() -> Enroller.forTarget(target).enrol(target, token, state, HostFacts.getDefaultInstance()))
                .isInstanceOf(EnrolmentException.class)
                .hasMessageContaining("does not know this enrolment key");
        assertThat(AgentIdentity.load(state)).isEmpty();
    }

    @Test
    void unreachableControllerIsRetryable() throws Exception {
        StateDir state = StateDir.open(dir.resolve("s"));
        int port = server.getPort();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        JoinToken token = JoinToken.parse("wgek_good." + pinHex(pki.ca), null);
        assertThatThrownBy(() -> Enroller.forTarget("localhost:" + port)
                        .enrol("localhost:" + port, token, state, HostFacts.getDefaultInstance()))
                .isInstanceOf(EnrolmentException.class)
                .satisfies(
                        ex -> assertThat(((EnrolmentException) ex).retryable()).isTrue());
    }
}
