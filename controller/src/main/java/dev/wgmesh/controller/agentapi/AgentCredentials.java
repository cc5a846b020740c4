package dev.wgmesh.controller.agentapi;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a caller presented: the TLS client certificate (already verified against the controller CA by the TLS layer)
 * and/or an {@code authorization: Bearer} secret. Captured per call by {@link #INTERCEPTOR}; checked against the agent
 * record when the Sync stream says who it is (Hello).
 */
record AgentCredentials(X509Certificate clientCertificate, String bearer) {
    static final Context.Key<AgentCredentials> KEY = Context.key("wgmesh-agent-credentials");
    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final int MAX_BEARER_CHARS = 200;

    static final ServerInterceptor INTERCEPTOR = new ServerInterceptor() {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(
                ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            X509Certificate cert = null;
            SSLSession ssl = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            if (ssl != null) {
                try {
                    Certificate[] chain = ssl.getPeerCertificates();
                    if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
                        cert = x;
                    }
                } catch (SSLPeerUnverifiedException ex) {
                    // no client certificate: Enroll and Ping need none
                }
            }
            String bearer = null;
            String auth = headers.get(AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) && auth.length() <= MAX_BEARER_CHARS) {
                bearer = auth.substring(7).strip();
            }
            Context ctx = Context.current().withValue(KEY, new AgentCredentials(cert, bearer));
            return Contexts.interceptCall(ctx, call, headers, next);
        }
    };

    static AgentCredentials current() {
        AgentCredentials c = KEY.get();
        return c == null ? new AgentCredentials(null, null) : c;
    }

    @Override
    public String toString() {
        return "AgentCredentials[cert=" + (clientCertificate != null) + ", bearer=" + (bearer != null) + "]";
    }
}
