package dev.wgmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.agent.enrol.PinnedCaTrustManager;
import dev.wgmesh.agent.enrol.TestPki;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.PingRequest;
import dev.wgmesh.proto.v1.PingResponse;
import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return AgentMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void printsVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("wgmesh-agent ");
    }

    @Test
    void rejectsUnknownCommandWithUsageExitCode() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command");
    }

    @Test
    void aTypoInTheCipherEngineOptionStopsTheAgentBeforeItStarts() {
        String before = System.getProperty("wgmesh.aead");
        try {
            System.setProperty("wgmesh.aead", "fast");
            assertThat(run("run", "--controller", "ctl.example:9090", "--enrol-key=abc"))
                    .isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .isEqualTo("wgmesh-agent: wgmesh.aead must be split or jce, got 'fast'" + System.lineSeparator());
        } finally {
            if (before == null) {
                System.clearProperty("wgmesh.aead");
            } else {
                System.setProperty("wgmesh.aead", before);
            }
        }
    }

    /** A TLS gRPC server on loopback presenting {@code pki}'s server certificate and CA, answering Ping. */
    private static Server controller(TestPki pki) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pki.serverKey.getPrivate(), new char[0], new X509Certificate[] {pki.server, pki.ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        return Grpc.newServerBuilderForPort(
                        0,
                        TlsServerCredentials.newBuilder()
                                .keyManager(kmf.getKeyManagers())
                                .build())
                .addService(new AgentServiceGrpc.AgentServiceImplBase() {
                    @Override
                    public void ping(PingRequest request, StreamObserver<PingResponse> responses) {
                        responses.onNext(PingResponse.newBuilder()
                                .setControllerVersion("test-" + request.getAgentVersion())
                                .setServerTimeUnixMs(System.currentTimeMillis() - 120_000)
                                .build());
                        responses.onCompleted();
                    }
                })
                .build()
                .start();
    }

    private static String fingerprint(X509Certificate c) {
        return "sha256:" + HexFormat.of().formatHex(PinnedCaTrustManager.sha256(c));
    }

    @Test
    void pingsOverTlsTrustingThePinnedCaOrTheEnrolledOne(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki("ping CA");
        Server server = controller(pki);
        String target = "127.0.0.1:" + server.getPort();
        try {
            assertThat(run("ping", "--controller", target, "--ca-fingerprint", fingerprint(pki.ca)))
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .contains("controller test-" + AgentMain.VERSION + " answered")
                    .contains("over TLS (CA " + fingerprint(pki.ca));
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .containsPattern("clock is 1[12][0-9] s ahead of the controller");

            String joinToken = "wgek_secret." + fingerprint(pki.ca).substring("sha256:".length());
            assertThat(run("ping", "--controller", target, "--enrol-key", joinToken))
                    .isZero();

            Files.write(dir.resolve("ca.crt"), pki.ca.getEncoded());
            out.reset();
            assertThat(run("ping", "--controller", target, "--state-dir", dir.toString()))
                    .isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("from " + dir.resolve("ca.crt"));
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void pingRefusesAControllerWithAnotherCa(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki("real CA");
        TestPki other = new TestPki("impostor CA");
        Server server = controller(other);
        try {
            String target = "127.0.0.1:" + server.getPort();
            assertThat(run("ping", "--controller", target, "--ca-fingerprint", fingerprint(pki.ca)))
                    .isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("TLS with " + target + " failed, not the controller expected")
                    .contains("does not match the pinned fingerprint");

            Files.write(dir.resolve("ca.crt"), pki.ca.getEncoded());
            err.reset();
            assertThat(run("ping", "--controller", target, "--state-dir", dir.toString()))
                    .isEqualTo(1);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("failed, not the controller expected");
            assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        } finally {
            server.shutdownNow();
        }
    }

    @Test
    void pingNeedsATrustAnchor(@TempDir Path dir) {
        assertThat(run("ping", "--controller", "127.0.0.1:9", "--state-dir", dir.toString()))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("no trust anchor")
                .contains("--ca-fingerprint");
        err.reset();
        assertThat(run("ping", "--controller", "127.0.0.1:9", "--ca-fingerprint", "sha256:abc"))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("64 hex digits");
    }

    @Test
    void pingReportsUnreachableController() throws Exception {
        int freePort;
        try (ServerSocket s = new ServerSocket(0)) {
            freePort = s.getLocalPort();
        }
        assertThat(run(
                        "ping",
                        "--controller",
                        "127.0.0.1:" + freePort,
                        "--ca-fingerprint",
                        "sha256:" + "ab".repeat(32)))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("did not answer: UNAVAILABLE");
    }
}
