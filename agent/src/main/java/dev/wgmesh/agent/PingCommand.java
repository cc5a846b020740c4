package dev.wgmesh.agent;

import dev.wgmesh.agent.enrol.JoinToken;
import dev.wgmesh.agent.enrol.PinnedCaTrustManager;
import dev.wgmesh.agent.enrol.TlsCredentials;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.PingRequest;
import dev.wgmesh.proto.v1.PingResponse;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code wgmesh-agent ping --controller HOST:PORT}: calls {@code AgentService.Ping} over TLS, as every agent
 * connection is (the controller's agent endpoint speaks nothing else). Needs no credential, but does need to know
 * which server to trust, in this order:
 *
 * <ol>
 *   <li>{@code --ca-fingerprint sha256:HEX}, or the CA pin inside a join token given as {@code --enrol-key} (the
 *       secret is not sent; only the pin is used);
 *   <li>{@code ca.crt} in the state dir (an enrolled agent), {@code --state-dir} or its default.
 * </ol>
 * With neither, it refuses to guess (exit 2). Prints the controller's version and the clock skew; a server that
 * fails the trust check is named as such (exit 1).
 */
final class PingCommand {
    /** Clocks further apart than this get a warning (certificates and the controller's checks depend on them). */
    static final long SKEW_WARNING_MS = 30_000;

    private PingCommand() {}

    /** A trust choice: the trust manager and how to name the expected CA in messages. */
    private record Trust(javax.net.ssl.TrustManager[] managers, String expected) {}

    static int run(List<String> args, PrintStream out, PrintStream err) {
        AgentOptions options;
        Trust trust;
        try {
            options = AgentOptions.parse(args);
            trust = trust(options);
        } catch (IllegalArgumentException | IOException | GeneralSecurityException ex) {
            err.println("wgmesh-agent ping: " + ex.getMessage());
            return 2;
        }
        ManagedChannel channel = Grpc.newChannelBuilder(
                        options.controller(),
                        TlsChannelCredentials.newBuilder()
                                .trustManager(trust.managers())
                                .build())
                .build();
        try {
            long sent = System.currentTimeMillis();
            PingResponse response = AgentServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .ping(PingRequest.newBuilder()
                            .setAgentVersion(AgentMain.VERSION)
                            .build());
            long received = System.currentTimeMillis();
            long skew =
                    response.getServerTimeUnixMs() == 0 ? 0 : response.getServerTimeUnixMs() - (sent + received) / 2;
            out.println("controller " + response.getControllerVersion() + " answered at " + options.controller()
                    + " over TLS (CA " + trust.expected() + ") in " + (received - sent) + " ms");
            if (Math.abs(skew) > SKEW_WARNING_MS) {
                err.println("wgmesh-agent ping: warning: this host's clock is " + Math.round(Math.abs(skew) / 1000.0)
                        + " s " + (skew > 0 ? "behind" : "ahead of") + " the controller's");
            }
            return 0;
        } catch (StatusRuntimeException ex) {
            err.println("wgmesh-agent ping: " + explain(options.controller(), ex, trust));
            return 1;
        } finally {
            channel.shutdownNow();
        }
    }

    private static Trust trust(AgentOptions options) throws IOException, GeneralSecurityException {
        byte[] pin = null;
        if (options.enrolKey() != null) {
            pin = JoinToken.parse(options.enrolKey(), options.caFingerprint()).caSha256();
        } else if (options.caFingerprint() != null) {
            pin = JoinToken.parseFingerprint(options.caFingerprint());
        }
        if (pin != null) {
            return new Trust(
                    new javax.net.ssl.TrustManager[] {new PinnedCaTrustManager(pin)},
                    "sha256:" + HexFormat.of().formatHex(pin));
        }
        Path caFile = options.stateDir().resolve(TlsCredentials.CA_FILE);
        byte[] pem;
        try {
            pem = Files.readAllBytes(caFile);
        } catch (NoSuchFileException ex) {
            throw new IllegalArgumentException("no trust anchor: " + caFile + " does not exist (not enrolled yet?); "
                    + "give --ca-fingerprint sha256:HEX or the join token as --enrol-key");
        }
        X509Certificate ca = TlsCredentials.readCertificate(pem);
        return new Trust(
                TlsCredentials.trustManagers(ca),
                "sha256:" + HexFormat.of().formatHex(PinnedCaTrustManager.sha256(ca)) + " from " + caFile);
    }

    private static String explain(String controller, StatusRuntimeException ex, Trust trust) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException || t instanceof java.security.cert.CertificateException) {
                Throwable root = t;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                return "TLS with " + controller + " failed, not the controller expected (CA " + trust.expected() + "): "
                        + root.getMessage();
            }
        }
        return "controller " + controller + " did not answer: " + ex.getStatus().getCode()
                + (ex.getStatus().getDescription() == null
                        ? ""
                        : " (" + ex.getStatus().getDescription() + ")");
    }
}
