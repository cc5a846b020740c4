package dev.wgmesh.agent.enrol;

import dev.wgmesh.agent.StateDir;
import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * The agent's TLS identity: an EC P-256 key (generated on the host, {@code tls.key}, never sent), the client
 * certificate the controller issued for its CSR ({@code tls.crt}) and the controller CA ({@code ca.crt}), all PEM
 * in the state directory. After enrolment every connection is mutual TLS with the CA as the only trust anchor.
 */
public final class TlsCredentials {
    public static final String KEY_FILE = "tls.key";
    public static final String CERT_FILE = "tls.crt";
    public static final String CA_FILE = "ca.crt";

    private final PrivateKey key;
    private final X509Certificate certificate;
    private final X509Certificate ca;

    public TlsCredentials(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
        this.key = key;
        this.certificate = certificate;
        this.ca = ca;
    }

    /** Loads the key, certificate and CA; empty when any of them is missing (not enrolled yet). */
    public static Optional<TlsCredentials> load(StateDir state) throws IOException {
        Optional<byte[]> key = state.read(KEY_FILE);
        Optional<byte[]> cert = state.read(CERT_FILE);
        Optional<byte[]> ca = state.read(CA_FILE);
        if (key.isEmpty() || cert.isEmpty() || ca.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                new TlsCredentials(readKey(key.get()), readCertificate(cert.get()), readCertificate(ca.get())));
    }

    /** Loads {@code tls.key}, or generates and stores a new EC P-256 key. */
    public static KeyPair loadOrCreateKey(StateDir state) throws IOException {
        Optional<byte[]> pem = state.read(KEY_FILE);
        try {
            if (pem.isPresent()) {
                // PKCS#8 carries no public half here; the CSR needs it, so derive it (d·G).
                PrivateKey key = readKey(pem.get());
                return new KeyPair(publicOf(key), key);
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            state.write(KEY_FILE, pem(pair.getPrivate()));
            return pair;
        } catch (GeneralSecurityException ex) {
            throw new IOException("cannot create the TLS key", ex);
        }
    }

    /** A PKCS#10 request for {@code pair} (DER). The controller sets the subject to the agent id anyway. */
    public static byte[] csr(KeyPair pair) throws IOException {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=wgmesh-agent"), pair.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()))
                    .getEncoded();
        } catch (OperatorCreationException ex) {
            throw new IOException("cannot sign the CSR", ex);
        }
    }

    /** Stores the issued certificate and the CA next to the key. */
    public static void store(StateDir state, X509Certificate certificate, X509Certificate ca) throws IOException {
        state.write(CERT_FILE, pem(certificate));
        state.write(CA_FILE, pem(ca));
    }

    public static X509Certificate readCertificate(byte[] pemOrDer) throws IOException {
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pemOrDer));
        } catch (GeneralSecurityException ex) {
            throw new IOException("not an X.509 certificate", ex);
        }
    }

    public X509Certificate ca() {
        return ca;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** Mutual TLS: our key and certificate, the controller CA as the only trust anchor. */
    public ChannelCredentials channelCredentials() throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pass = new char[0];
            ks.setKeyEntry("agent", key, pass, new X509Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            return TlsChannelCredentials.newBuilder()
                    .keyManager(kmf.getKeyManagers())
                    .trustManager(trustManagers(ca))
                    .build();
        } catch (GeneralSecurityException ex) {
            throw new IOException("cannot build the TLS credentials", ex);
        }
    }

    /** Trust managers with {@code ca} as the only trust anchor (hostname verification stays on). */
    public static javax.net.ssl.TrustManager[] trustManagers(X509Certificate ca)
            throws GeneralSecurityException, IOException {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("wgmesh-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /** PEM: a private key as PKCS#8 ({@code PRIVATE KEY}), a certificate as {@code CERTIFICATE}. */
    static byte[] pem(Object object) throws IOException {
        if (object instanceof PrivateKey k) {
            String b64 = java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(k.getEncoded());
            return ("-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(object);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static PrivateKey readKey(byte[] pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            if (o instanceof org.bouncycastle.openssl.PEMKeyPair kp) {
                return conv.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
                throw new IOException(KEY_FILE + " is encrypted; the agent expects an unencrypted key (mode 0600)");
            }
            throw new IOException(KEY_FILE + " does not hold a private key");
        }
    }

    /** The public point of an EC private key (d·G), for a stored PKCS#8 key that carries no public part. */
    private static java.security.PublicKey publicOf(PrivateKey key) throws GeneralSecurityException {
        var ec = (java.security.interfaces.ECPrivateKey) key;
        var spec = org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec("secp256r1");
        var q = spec.getG().multiply(ec.getS()).normalize();
        var point = new java.security.spec.ECPoint(
                q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return java.security.KeyFactory.getInstance("EC")
                .generatePublic(new java.security.spec.ECPublicKeySpec(point, ec.getParams()));
    }
}
