package dev.wgmesh.agent.enrol;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.net.ssl.X509TrustManager;

/**
 * Trusts a server only when the chain it presents contains the CA certificate whose SHA-256 (over its DER) equals
 * the pin, and the rest of the chain validates with that CA as the only trust anchor. Used for the very first
 * connection (Enroll), before the agent has the CA: the TLS handshake fails — and the enrolment key is never sent —
 * when the server is not the controller the operator meant.
 *
 * <p>The server must therefore send its CA certificate in its chain (leaf first, CA last). The JDK wraps this
 * manager and adds hostname verification, since gRPC asks for the HTTPS endpoint identification algorithm.
 */
public final class PinnedCaTrustManager implements X509TrustManager {
    private final byte[] pin;
    private volatile X509Certificate verifiedCa;

    public PinnedCaTrustManager(byte[] caSha256) {
        this.pin = caSha256.clone();
    }

    /** The CA that matched the pin in the last successful handshake, or null. */
    public X509Certificate verifiedCa() {
        return verifiedCa;
    }

    public static byte[] sha256(X509Certificate cert) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("cannot hash a certificate", ex);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the controller presented no certificate");
        }
        X509Certificate ca = null;
        List<X509Certificate> path = new ArrayList<>();
        for (X509Certificate c : chain) {
            if (MessageDigest.isEqual(sha256(c), pin)) {
                ca = c;
                break;
            }
            path.add(c);
        }
        if (ca == null) {
            throw new CertificateException("the controller's CA does not match the pinned fingerprint sha256:"
                    + HexFormat.of().formatHex(pin) + " (wrong controller or wrong enrolment key)");
        }
        if (!path.isEmpty()) {
            try {
                PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
                params.setRevocationEnabled(false);
                CertPathValidator.getInstance("PKIX")
                        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            } catch (GeneralSecurityException ex) {
                throw new CertificateException("the controller's certificate is not issued by the pinned CA", ex);
            }
        }
        verifiedCa = ca;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("an agent does not accept client connections");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
