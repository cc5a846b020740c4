package dev.wgmesh.controller.agentapi;

import dev.wgmesh.controller.enrolment.CaPin;
import dev.wgmesh.controller.keys.SecretCipher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The controller's own certificate authority (EC P-256): signs the gRPC server certificate and the agents' client
 * certificates. Agents pin it by {@link #fingerprint()} (carried in the join token).
 *
 * <p>Replicas share one CA: it lives in table {@code controller_ca} (private key sealed with the master key). The
 * first replica to start creates it; an insert race is settled by the primary key (the loser loads the winner's).
 * A copy goes to {@code ${wgmesh.data-dir}/tls/} ({@code ca.key} mode 0600) for operators' tooling.
 */
@Component
public class ControllerCa implements CaPin {
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration LEAF_VALIDITY = Duration.ofDays(365);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final String SEAL_CONTEXT = "controller-ca";

    private final SecureRandom random = new SecureRandom();
    private final X509Certificate caCertificate;
    private final PrivateKey caKey;
    private final String fingerprint;

    public ControllerCa(JdbcTemplate jdbc, SecretCipher cipher, @Value("${wgmesh.data-dir}") String dataDir) {
        loadOrCreate(jdbc, cipher);
        List<java.util.Map<String, Object>> rows =
                jdbc.queryForList("SELECT certificate_der, key_sealed FROM controller_ca WHERE id = 1");
        java.util.Map<String, Object> row = rows.getFirst();
        try {
            this.caCertificate = certificate(Base64.getDecoder().decode((String) row.get("certificate_der")));
            byte[] pkcs8 = cipher.open((String) row.get("key_sealed"), SEAL_CONTEXT);
            this.caKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            java.util.Arrays.fill(pkcs8, (byte) 0);
            this.fingerprint = fingerprintOf(caCertificate.getEncoded());
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("the stored controller CA cannot be read", ex);
        }
        writeCopy(Path.of(dataDir, "tls"));
    }

    private void loadOrCreate(JdbcTemplate jdbc, SecretCipher cipher) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM controller_ca WHERE id = 1", Integer.class);
        if (count != null && count > 0) {
            return;
        }
        KeyPair pair = newKeyPair();
        Instant now = Instant.now();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "wgmesh")
                .addRDN(
                        BCStyle.CN,
                        "wgmesh controller CA " + UUID.randomUUID().toString().substring(0, 8))
                .build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minusSeconds(300)),
                            Date.from(now.plus(CA_VALIDITY)),
                            name,
                            pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = sign(b, pair.getPrivate());
            jdbc.update(
                    "INSERT INTO controller_ca (id, certificate_der, key_sealed, created_at) VALUES (1, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING",
                    Base64.getEncoder().encodeToString(cert.getEncoded()),
                    cipher.seal(pair.getPrivate().getEncoded(), SEAL_CONTEXT),
                    Timestamp.from(now));
        } catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("cannot create the controller CA", ex);
        }
    }

    /** {@code sha256:<64 lowercase hex>} over the CA certificate's DER: the pin agents check. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public String caFingerprint() {
        return fingerprint;
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    static String fingerprintOf(byte[] der) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A fresh server key pair and certificate for the gRPC port (issued at every start; the CA is what is pinned). */
    public ServerIdentity issueServerIdentity(List<String> extraSans) {
        KeyPair pair = newKeyPair();
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException ignored) {
            // no resolvable host name: the fixed names remain
        }
        extraSans.stream().map(String::strip).filter(s -> !s.isEmpty()).forEach(names::add);
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            boolean ip = n.matches("[0-9.]+") || n.contains(":");
            sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, n));
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "wgmesh")
                .addRDN(BCStyle.CN, "wgmesh controller")
                .build();
        try {
            X509v3CertificateBuilder b = leaf(subject, pair.getPublic(), KeyPurposeId.id_kp_serverAuth)
                    .addExtension(
                            Extension.subjectAlternativeName,
                            false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
            return new ServerIdentity(pair.getPrivate(), sign(b, caKey), caCertificate);
        } catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("cannot issue the server certificate", ex);
        }
    }

    /**
     * Issues a client certificate (CN = agent id, clientAuth, {@link #LEAF_VALIDITY}) for a PKCS#10 request whose
     * self-signature verifies. Only EC keys are accepted (the agent generates P-256).
     *
     * @throws IllegalArgumentException when the CSR is malformed or its signature is wrong
     */
    public X509Certificate issueClientCertificate(byte[] csrDer, UUID agentId) {
        PublicKey key;
        try {
            JcaPKCS10CertificationRequest csr =
                    new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(csrDer));
            key = csr.getPublicKey();
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new IllegalArgumentException("csr_der: signature does not verify");
            }
        } catch (IOException
                | RuntimeException
                | GeneralSecurityException
                | OperatorCreationException
                | PKCSException ex) {
            if (ex instanceof IllegalArgumentException iae && iae.getMessage().startsWith("csr_der")) {
                throw iae;
            }
            throw new IllegalArgumentException("csr_der: not a valid PKCS#10 request", ex);
        }
        if (!"EC".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("csr_der: the TLS key must be EC (P-256)");
        }
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "wgmesh agent")
                .addRDN(BCStyle.CN, agentId.toString())
                .build();
        try {
            return sign(leaf(subject, key, KeyPurposeId.id_kp_clientAuth), caKey);
        } catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException("cannot issue a client certificate", ex);
        }
    }

    private X509v3CertificateBuilder leaf(X500Name subject, PublicKey key, KeyPurposeId purpose)
            throws IOException, GeneralSecurityException {
        Instant now = Instant.now();
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        return new JcaX509v3CertificateBuilder(
                        caCertificate,
                        serial(),
                        Date.from(now.minusSeconds(300)),
                        Date.from(now.plus(LEAF_VALIDITY)),
                        subject,
                        key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCertificate));
    }

    private BigInteger serial() {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException ex) {
            throw new GeneralSecurityException(ex);
        }
    }

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("EC P-256 is mandatory in every JDK", ex);
        }
    }

    static X509Certificate certificate(byte[] der) throws GeneralSecurityException {
        return (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(der));
    }

    private void writeCopy(Path dir) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("ca.crt"), Pem.encode("CERTIFICATE", caCertificate.getEncoded()), "rw-r--r--");
            writeAtomically(dir.resolve("ca.key"), Pem.encode("PRIVATE KEY", caKey.getEncoded()), "rw-------");
        } catch (IOException | GeneralSecurityException ex) {
            throw new UncheckedIOException(new IOException("cannot write the CA copy under " + dir, ex));
        }
    }

    private static void writeAtomically(Path target, String content, String mode) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp", null);
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The server's TLS identity. No toString: it holds a private key. */
    public record ServerIdentity(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
        @Override
        public String toString() {
            return "ServerIdentity[" + certificate.getSubjectX500Principal() + "]";
        }
    }
}
