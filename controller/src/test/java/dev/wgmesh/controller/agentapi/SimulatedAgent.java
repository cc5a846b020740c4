package dev.wgmesh.controller.agentapi;

import com.google.protobuf.ByteString;
import dev.wgmesh.proto.v1.Ack;
import dev.wgmesh.proto.v1.AgentMessage;
import dev.wgmesh.proto.v1.AgentServiceGrpc;
import dev.wgmesh.proto.v1.Capability;
import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.ControllerMessage;
import dev.wgmesh.proto.v1.Delta;
import dev.wgmesh.proto.v1.EnrollRequest;
import dev.wgmesh.proto.v1.EnrollResponse;
import dev.wgmesh.proto.v1.Hello;
import dev.wgmesh.proto.v1.HostFacts;
import dev.wgmesh.proto.v1.NetworkConfig;
import dev.wgmesh.proto.v1.PeerConfig;
import dev.wgmesh.proto.v1.StatsReport;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.StreamObserver;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A wgmesh agent without a data plane, for tests, benchmarks and the dashboard's end-to-end test: enrols with a join
 * token over real gRPC + TLS (pinning the CA by the token's fingerprint), opens Sync with mutual TLS, applies
 * snapshots and deltas to an in-memory {@link NetworkConfig}, acknowledges every revision with the hash it computes
 * itself ({@link ConfigHashes}), and sends StatsReports on demand.
 *
 * <p>Not thread-safe for its commands; the stream callbacks are synchronized with the state getters.
 */
public final class SimulatedAgent implements AutoCloseable {
    private final String host;
    private final int port;
    private final byte[] wireguardPublicKey;
    private final KeyPair tlsKey;
    private final String name;
    private X509Certificate clientCertificate;
    private X509Certificate ca;
    private EnrollResponse identity;
    private ManagedChannel channel;
    private StreamObserver<AgentMessage> stream;
    private java.util.concurrent.ScheduledFuture<?> keepalive;
    /** Keepalives of all simulated agents (the controller closes streams silent for 45 s). */
    private static final java.util.concurrent.ScheduledExecutorService KEEPALIVES =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("sim-keepalive").daemon().factory());

    /** What runs: the interface and the peers by key; {@link #config} is built from them on demand. */
    private dev.wgmesh.proto.v1.InterfaceConfig iface = dev.wgmesh.proto.v1.InterfaceConfig.getDefaultInstance();

    private final java.util.TreeMap<ByteString, PeerConfig> peers =
            new java.util.TreeMap<>(ByteString.unsignedLexicographicalComparator());
    private NetworkConfig config = NetworkConfig.getDefaultInstance();
    private boolean configStale;
    /**
     * Cheap hashing (benchmarks): each peer's digest is computed once, when it arrives, and added to (or subtracted
     * from) a running sum: a revision costs a simulated agent what it changes, not a pass over its whole map (a real
     * agent hashes on its own CPU; a thousand simulated ones share the controller's cores). Nor is the whole
     * configuration canonicalised per revision. {@link #fullHashMatches} checks the end state the slow, independent way.
     *
     * <p>Also the benchmark memory mode (5,000 agents of 5,000 peers each in one JVM): entries are interned across the
     * simulated agents ({@link #INTERNED}: an agent peer's entry is the same in every map), the peers live in
     * {@link #entries} only, received messages are counted, not kept, and only the last acks' times are kept.
     */
    private boolean cheapHashing;

    /** Benchmark mode: one entry object per distinct peer configuration, shared by all simulated agents. */
    private static final Map<PeerConfig, ConfigEntry> INTERNED = new java.util.concurrent.ConcurrentHashMap<>();

    private static final int ACKS_TIMED = 64;

    private final java.util.TreeMap<ByteString, ConfigEntry> entries =
            new java.util.TreeMap<>(ByteString.unsignedLexicographicalComparator());
    /** The peers' part of the hash of {@link #entries}, kept up to date as they change (as the controller does). */
    private final ConfigHashes.Sum entriesHash = new ConfigHashes.Sum();

    private long revision;
    private String hash = "";
    private String controllerHash = "";
    private final List<ControllerMessage> received = new CopyOnWriteArrayList<>();
    private volatile Status closedWith;
    private volatile Metadata closedTrailers;
    private volatile boolean ackEnabled = true;
    /** Serialized size of every message received (benchmarks: bytes per agent per change). */
    private final java.util.concurrent.atomic.AtomicLong bytesReceived = new java.util.concurrent.atomic.AtomicLong();
    /** Revision → System.nanoTime() when it was acked (benchmarks). */
    private final Map<Long, Long> ackedAtNanos =
            java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                    return cheapHashing && size() > ACKS_TIMED;
                }
            });

    public SimulatedAgent(String host, int port, String name) {
        this.host = host;
        this.port = port;
        this.name = name;
        this.wireguardPublicKey = new byte[32];
        new java.security.SecureRandom().nextBytes(wireguardPublicKey);
        this.tlsKey = ControllerCa.newKeyPair();
    }

    private SimulatedAgent(SimulatedAgent original, int port) {
        this.host = original.host;
        this.port = port;
        this.name = original.name;
        this.wireguardPublicKey = original.wireguardPublicKey;
        this.tlsKey = original.tlsKey;
        this.clientCertificate = original.clientCertificate;
        this.ca = original.ca;
        this.identity = original.identity;
    }

    /** A second process with this agent's identity and credential (a restarted agent, a duplicate). */
    public SimulatedAgent twin() {
        return new SimulatedAgent(this, port);
    }

    /** A twin that talks to another controller replica. */
    public SimulatedAgent twin(int otherPort) {
        return new SimulatedAgent(this, otherPort);
    }

    /** The channel of the current or last stream (tests sending raw streams). */
    public ManagedChannel channel() {
        return channel;
    }

    public byte[] wireguardPublicKey() {
        return wireguardPublicKey.clone();
    }

    public EnrollResponse identity() {
        return identity;
    }

    /** Enrols with {@code <secret>.<ca sha256 hex>}; the call fails (TLS) when the server's CA does not match. */
    public EnrollResponse enroll(String joinToken) {
        int dot = joinToken.lastIndexOf('.');
        return enroll(joinToken.substring(0, dot), joinToken.substring(dot + 1), true);
    }

    /** Enrolment with explicit parts; {@code withCsr} false asks for a bearer secret instead of a certificate. */
    public EnrollResponse enroll(String secret, String pinHex, boolean withCsr) {
        ManagedChannel pinned = channel(pinnedTrust(pinHex), false);
        try {
            EnrollRequest.Builder req = EnrollRequest.newBuilder()
                    .setEnrolmentKey(secret)
                    .setWireguardPublicKey(ByteString.copyFrom(wireguardPublicKey))
                    .setHost(HostFacts.newBuilder()
                            .setHostname(name)
                            .setOs("test")
                            .setAgentVersion("sim-0.1")
                            .addInterfaceAddresses("192.0.2.10")
                            .setListenPort(51820));
            if (withCsr) {
                req.setCsrDer(ByteString.copyFrom(csr()));
            }
            identity = AgentServiceGrpc.newBlockingStub(pinned)
                    .withDeadlineAfter(20, TimeUnit.SECONDS)
                    .enroll(req.build());
            ca = ControllerCa.certificate(identity.getCaCertificatesDer(0).toByteArray());
            if (withCsr) {
                clientCertificate = ControllerCa.certificate(
                        identity.getClientCertificateDer().toByteArray());
            }
            return identity;
        } catch (java.security.GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        } finally {
            pinned.shutdownNow();
        }
    }

    private byte[] csr() {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + name), tlsKey.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(tlsKey.getPrivate()))
                    .getEncoded();
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Trusts exactly a server chain containing the certificate with this SHA-256 (the agent's CA pin). */
    static X509TrustManager pinnedTrust(String pinHex) {
        return new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                for (X509Certificate c : chain) {
                    try {
                        String fp = HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
                        if (fp.equals(pinHex)) {
                            chain[0].verify(c.getPublicKey());
                            return;
                        }
                    } catch (java.security.GeneralSecurityException ex) {
                        throw new CertificateException("chain does not verify against the pinned CA", ex);
                    }
                }
                throw new CertificateException("server CA does not match the pinned fingerprint");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
    }

    private ManagedChannel channel(X509TrustManager trust, boolean clientCert) {
        try {
            SslContextBuilder b = GrpcSslContexts.forClient();
            if (trust != null) {
                b.trustManager(trust);
            } else {
                b.trustManager(ca);
            }
            if (clientCert) {
                b.keyManager(tlsKey.getPrivate(), clientCertificate);
            }
            SslContext ssl = b.build();
            // Messages are handled on gRPC's pool, not on the transport thread (directExecutor): a 5,000-peer snapshot
            // handled on an event loop holds up every connection on it, and a 5,000-agent run so configured lost
            // streams while connecting (UNAVAILABLE "Network closed", no message received).
            // As the real agent's channel (agent module, ControllerChannel): a fixed 4 MiB receive window, no
            // bandwidth-probing PINGs for the controller to answer on every update.
            return NettyChannelBuilder.forAddress(host, port)
                    .sslContext(ssl)
                    .flowControlWindow(4 * 1024 * 1024)
                    .build();
        } catch (javax.net.ssl.SSLException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Opens Sync with mutual TLS and Hello (reporting the revision and hash it runs). */
    public void connect() {
        connect(true);
    }

    public void connect(boolean deltas) {
        closedWith = null;
        if (channel == null) {
            channel = channel(null, clientCertificate != null);
        }
        var stub = AgentServiceGrpc.newStub(channel);
        if (clientCertificate == null && !identity.getBearerSecret().isEmpty()) {
            Metadata md = new Metadata();
            md.put(AgentCredentials.AUTHORIZATION, "Bearer " + identity.getBearerSecret());
            stub = stub.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md));
        }
        stream = stub.sync(new StreamObserver<>() {
            @Override
            public void onNext(ControllerMessage m) {
                bytesReceived.addAndGet(m.getSerializedSize());
                if (!cheapHashing) {
                    received.add(m);
                }
                handle(m);
            }

            @Override
            public void onError(Throwable t) {
                closedWith = Status.fromThrowable(t);
                closedTrailers = Status.trailersFromThrowable(t);
                retryIfRefused(deltas);
            }

            @Override
            public void onCompleted() {
                closedWith = Status.OK;
            }
        });
        Hello.Builder hello = Hello.newBuilder()
                .setAgentId(identity.getAgentId())
                .setAgentVersion("sim-0.1")
                .setAppliedRevision(revision())
                .setAppliedConfigHash(hash())
                .setWireguardPublicKey(ByteString.copyFrom(wireguardPublicKey))
                .setListenPort(51820);
        if (deltas) {
            hello.addCapabilities(Capability.CAPABILITY_DELTAS);
        }
        send(AgentMessage.newBuilder().setHello(hello).build());
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        keepalive = KEEPALIVES.scheduleWithFixedDelay(this::sendKeepalive, 10, 10, TimeUnit.SECONDS);
    }

    /**
     * Benchmark mode: a stream refused by reconnect-storm protection is opened again after the controller's
     * {@code retry-after-ms}, as the real agent does (thousands of agents connecting at once exceed the burst).
     */
    private void retryIfRefused(boolean deltas) {
        String after = closedTrailers == null ? null : closedTrailers.get(SyncCall.RETRY_AFTER);
        if (cheapHashing && closedWith.getCode() == Status.Code.RESOURCE_EXHAUSTED && after != null) {
            KEEPALIVES.schedule(() -> connect(deltas), Long.parseLong(after), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void sendKeepalive() {
        if (closedWith == null && stream != null) {
            try {
                stream.onNext(AgentMessage.newBuilder()
                        .setKeepalive(
                                dev.wgmesh.proto.v1.Keepalive.newBuilder().setTimeUnixMs(System.currentTimeMillis()))
                        .build());
            } catch (RuntimeException ignored) {
                // the stream is closing
            }
        }
    }

    /** Sends any message (tests of malformed input). */
    public synchronized void send(AgentMessage m) {
        stream.onNext(m);
    }

    private synchronized void handle(ControllerMessage m) {
        switch (m.getKindCase()) {
            case SNAPSHOT -> {
                NetworkConfig c = m.getSnapshot().getConfig();
                iface = c.getInterfaceConfig();
                peers.clear();
                entries.clear();
                entriesHash.clear();
                c.getPeersList().forEach(this::upsert);
                revision = m.getSnapshot().getRevision();
                ack(m.getSnapshot().getConfigHash());
            }
            case DELTA -> {
                Delta d = m.getDelta();
                if (d.getFromRevision() != revision) {
                    sendAck(d.getRevision(), false, "delta from " + d.getFromRevision() + " but running " + revision);
                    return;
                }
                if (d.hasInterfaceConfig()) {
                    iface = d.getInterfaceConfig();
                }
                for (ByteString key : d.getRemovedPeerKeysList()) {
                    peers.remove(key);
                    ConfigEntry gone = entries.remove(key);
                    if (gone != null) {
                        entriesHash.subtract(gone.digest());
                    }
                }
                d.getUpsertedPeersList().forEach(this::upsert);
                revision = d.getRevision();
                ack(d.getConfigHash());
            }
            default -> {
                // keepalives and control messages are only recorded
            }
        }
        notifyAll();
    }

    private void upsert(PeerConfig p) {
        if (cheapHashing) {
            ConfigEntry e = INTERNED.computeIfAbsent(p, ConfigEntry::of);
            ConfigEntry old = entries.put(e.config().getPublicKey(), e);
            if (old != null) {
                entriesHash.subtract(old.digest());
            }
            entriesHash.add(e.digest());
        } else {
            peers.put(p.getPublicKey(), p);
        }
        configStale = true;
    }

    /** The configured peers' keys: in {@link #entries} in benchmark mode, otherwise in {@link #peers}. */
    private java.util.SortedMap<ByteString, ?> configured() {
        return cheapHashing ? entries : peers;
    }

    private void ack(String expected) {
        configStale = true;
        controllerHash = expected;
        hash = cheapHashing
                ? new ConfigHashes.Sum(entriesHash)
                        .add(ConfigEntry.interfaceDigest(iface))
                        .hex()
                : ConfigHashes.hash(config());
        if (ackEnabled) {
            sendAck(revision, true, "");
        }
        if (!hash.equals(expected)) {
            mismatches++;
        }
    }

    /** Cheap per-revision hashing for benchmarks (see {@link #cheapHashing}); set before {@link #connect}. */
    public SimulatedAgent cheapHashing() {
        cheapHashing = true;
        return this;
    }

    /** The hash of what runs computed the slow, independent way equals the one the controller last sent. */
    public synchronized boolean fullHashMatches() {
        return ConfigHashes.hash(config()).equals(controllerHash);
    }

    /** Whether the peer with this public key is configured. */
    public synchronized boolean hasPeer(ByteString publicKey) {
        return configured().containsKey(publicKey);
    }

    /** Waits until the peer with this public key is configured. */
    public void awaitPeer(ByteString publicKey, Duration timeout) throws InterruptedException {
        awaitState("peer configured", () -> configured().containsKey(publicKey), timeout);
    }

    /** Waits until exactly {@code count} peers are configured. */
    public void awaitPeerCount(int count, Duration timeout) throws InterruptedException {
        awaitState(count + " peers", () -> configured().size() == count, timeout);
    }

    /** Waits, without building the configuration message, until {@code condition} holds (checked under the lock). */
    private synchronized void awaitState(String what, java.util.function.BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(what + ": not within " + timeout + " (" + describe() + ")");
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** The number of peers configured. */
    public synchronized int peerCount() {
        return configured().size();
    }

    private int mismatches;

    /** Revisions whose hash (computed here) differed from the one the controller sent. */
    public synchronized int hashMismatches() {
        return mismatches;
    }

    private void sendAck(long rev, boolean success, String error) {
        ackedAtNanos.put(rev, System.nanoTime());
        stream.onNext(AgentMessage.newBuilder()
                .setAck(Ack.newBuilder()
                        .setRevision(rev)
                        .setSuccess(success)
                        .setConfigHash(hash)
                        .setError(error))
                .build());
    }

    /** Stops acknowledging (tests of drift and lag). */
    public void ackEnabled(boolean on) {
        ackEnabled = on;
    }

    /** Acknowledges the current revision with an arbitrary hash (drift). */
    public synchronized void ackWithHash(String fakeHash) {
        hash = fakeHash;
        sendAck(revision, true, "");
    }

    public void sendStats(StatsReport report) {
        send(AgentMessage.newBuilder().setStats(report).build());
    }

    public synchronized NetworkConfig config() {
        if (configStale) {
            config = NetworkConfig.newBuilder()
                    .setInterfaceConfig(iface)
                    .addAllPeers(
                            cheapHashing
                                    ? entries.values().stream()
                                            .map(ConfigEntry::config)
                                            .toList()
                                    : peers.values())
                    .build();
            configStale = false;
        }
        return config;
    }

    public synchronized long revision() {
        return revision;
    }

    public synchronized String hash() {
        return hash;
    }

    public long bytesReceived() {
        return bytesReceived.get();
    }

    public Long ackedAtNanos(long rev) {
        return ackedAtNanos.get(rev);
    }

    public List<ControllerMessage> received() {
        return received;
    }

    public Status closedWith() {
        return closedWith;
    }

    public Metadata closedTrailers() {
        return closedTrailers;
    }

    /** Waits until the configuration satisfies {@code condition}. */
    public synchronized NetworkConfig await(Predicate<NetworkConfig> condition, Duration timeout)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.test(config())) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        "condition not met within " + timeout + "; " + describe() + "; config: " + config());
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return config();
    }

    /** Revision, message counts and how the stream ended, for failure messages. */
    public synchronized String describe() {
        long snapshots =
                received.stream().filter(ControllerMessage::hasSnapshot).count();
        long deltas = received.stream().filter(ControllerMessage::hasDelta).count();
        return name + ": revision " + revision + ", " + configured().size() + " peers, received " + snapshots
                + " snapshot(s) and " + deltas + " delta(s) of " + received.size() + " message(s), stream "
                + (closedWith == null ? "open" : "closed with " + closedWith);
    }

    /** Waits until the stream was closed by the server (or failed). */
    public Status awaitClosed(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (closedWith == null && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        return closedWith;
    }

    /** Half-closes the stream (agent going away). */
    public void disconnect() {
        try {
            stream.onCompleted();
        } catch (RuntimeException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        if (keepalive != null) {
            keepalive.cancel(false);
        }
        if (channel != null) {
            channel.shutdownNow();
            try {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            channel = null;
        }
    }
}
