package dev.wgmesh.agent.enrol;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A throw-away CA like the controller's: EC P-256, a server certificate for loopback, client certs from CSRs. */
public final class TestPki {
    final KeyPair caKey = ec();
    public final X509Certificate ca;
    public final KeyPair serverKey = ec();
    public final X509Certificate server;
    private long serial = 2;

    public TestPki(String cn) throws Exception {
        ca = sign(new X500Name("CN=" + cn), caKey.getPublic(), true, null);
        server = sign(new X500Name("CN=controller"), serverKey.getPublic(), false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")
        }));
    }

    X509Certificate issue(byte[] csrDer, String agentId) throws Exception {
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(csrDer);
        PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
        return sign(new X500Name("CN=" + agentId), key, false, null);
    }

    private X509Certificate sign(X500Name subject, PublicKey key, boolean isCa, GeneralNames sans) throws Exception {
        long now = System.currentTimeMillis();
        X500Name issuer =
                isCa ? subject : new X500Name(ca.getSubjectX500Principal().getName());
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                issuer,
                BigInteger.valueOf(serial++),
                new Date(now - 60_000),
                new Date(now + 86_400_000L),
                subject,
                key);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (sans != null) {
            b.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    }

    static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
