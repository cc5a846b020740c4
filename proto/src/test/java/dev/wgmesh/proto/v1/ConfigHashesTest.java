package dev.wgmesh.proto.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class ConfigHashesTest {
    private static PeerConfig peer(int keyByte, String... allowed) {
        byte[] key = new byte[32];
        key[0] = (byte) keyByte;
        return PeerConfig.newBuilder()
                .setPublicKey(ByteString.copyFrom(key))
                .setEndpoint("192.0.2." + (keyByte & 0x7f) + ":51820")
                .addAllAllowedIps(java.util.List.of(allowed))
                .build();
    }

    private static NetworkConfig config(PeerConfig... peers) {
        return NetworkConfig.newBuilder()
                .setInterfaceConfig(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0.1/24")
                        .setMtu(1420)
                        .build())
                .addAllPeers(java.util.List.of(peers))
                .build();
    }

    @Test
    void orderOfPeersAndPrefixesDoesNotMatter() {
        String a = ConfigHashes.hash(config(peer(1, "10.0.0.0/24", "10.1.0.0/24"), peer(0xf0, "10.2.0.0/24")));
        String b = ConfigHashes.hash(config(peer(0xf0, "10.2.0.0/24"), peer(1, "10.1.0.0/24", "10.0.0.0/24")));
        assertThat(a).isEqualTo(b).hasSize(64).matches("[0-9a-f]+");
    }

    @Test
    void everyDataPlaneFieldChangesTheHash() {
        String base = ConfigHashes.hash(config(peer(1, "10.0.0.0/24")));
        assertThat(ConfigHashes.hash(config(peer(2, "10.0.0.0/24")))).isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/25")))).isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24").toBuilder()
                        .setPresharedKey(ByteString.copyFrom(new byte[32]))
                        .build())))
                .isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24").toBuilder()
                        .setPersistentKeepaliveSeconds(25)
                        .build())))
                .isNotEqualTo(base);
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24")).toBuilder()
                        .setInterfaceConfig(InterfaceConfig.newBuilder()
                                .addAddresses("10.99.0.1/24")
                                .setMtu(1380))
                        .build()))
                .isNotEqualTo(base);
    }

    @Test
    void namesAndProbeSettingsDoNotChangeTheHash() {
        String base = ConfigHashes.hash(config(peer(1, "10.0.0.0/24")));
        assertThat(ConfigHashes.hash(config(peer(1, "10.0.0.0/24").toBuilder()
                        .setName("branch-office")
                        .setProbe(true)
                        .setProbeAddress("10.0.0.1")
                        .build())))
                .isEqualTo(base);
    }

    @Test
    void peersWithUnsignedHighBytesSortAfterLowOnes() {
        NetworkConfig canonical = ConfigHashes.canonical(config(peer(0x80), peer(0x01)));
        assertThat(canonical.getPeers(0).getPublicKey().byteAt(0)).isEqualTo((byte) 0x01);
    }

    /**
     * Slow reference: the canonical NetworkConfig serialised as a whole, cut into its fields (tag, length, bytes),
     * each field's SHA-256 read as a big-endian number, summed with BigInteger modulo 2^256. (The canonical form always
     * has the interface field, empty or not.)
     */
    private static String reference(NetworkConfig config) throws Exception {
        byte[] all = ConfigHashes.canonical(config).toByteArray();
        com.google.protobuf.CodedInputStream in = com.google.protobuf.CodedInputStream.newInstance(all);
        java.math.BigInteger sum = java.math.BigInteger.ZERO;
        int start = 0;
        while (!in.isAtEnd()) {
            in.readTag();
            in.readBytes();
            int end = in.getTotalBytesRead();
            byte[] field = java.util.Arrays.copyOfRange(all, start, end);
            sum = sum.add(new java.math.BigInteger(
                    1, java.security.MessageDigest.getInstance("SHA-256").digest(field)));
            start = end;
        }
        String hex = sum.mod(java.math.BigInteger.ONE.shiftLeft(256)).toString(16);
        return "0".repeat(64 - hex.length()) + hex;
    }

    @Test
    void sumOfFieldDigestsEqualsTheSlowReference() throws Exception {
        java.util.Random random = new java.util.Random(3);
        for (int round = 0; round < 200; round++) {
            NetworkConfig.Builder c = NetworkConfig.newBuilder();
            if (round % 7 != 0) {
                c.setInterfaceConfig(InterfaceConfig.newBuilder()
                        .addAddresses("10.99.0." + round + "/32")
                        .setMtu(1280 + round)
                        .addRoutes("192.168." + round % 5 + ".0/24"));
            }
            int n = random.nextInt(40);
            for (int i = 0; i < n; i++) {
                c.addPeers(peer(random.nextInt(256), "10.0." + random.nextInt(256) + ".0/24"));
            }
            assertThat(ConfigHashes.hash(c.build())).as("round %d", round).isEqualTo(reference(c.build()));
        }
    }

    @Test
    void sumCarriesAndBorrowsAcrossWords() {
        byte[] ones = new byte[32];
        java.util.Arrays.fill(ones, (byte) 0xff);
        byte[] one = new byte[32];
        one[31] = 1;
        ConfigHashes.Sum s = new ConfigHashes.Sum().add(ones);
        assertThat(s.hex()).isEqualTo("f".repeat(64));
        assertThat(new ConfigHashes.Sum(s).add(one).hex()).isEqualTo("0".repeat(64)); // wraps modulo 2^256
        assertThat(s.add(ones).hex()).isEqualTo("f".repeat(63) + "e");
        assertThat(s.subtract(ones).subtract(ones).hex()).isEqualTo("0".repeat(64));
        assertThat(s.subtract(one).hex()).isEqualTo("f".repeat(64)); // borrows through every word
        byte[] mid = new byte[32];
        mid[23] = 1; // 2^64: a carry out of the lowest word lands here
        assertThat(new ConfigHashes.Sum().add(ones).add(one).add(mid).hex())
                .isEqualTo("0".repeat(47) + "1" + "0".repeat(16));
    }

    @Test
    void addingThenRemovingAPeerRestoresTheHash() {
        NetworkConfig base = config(peer(1, "10.0.0.0/24"), peer(2, "10.0.1.0/24"));
        PeerConfig extra = peer(3, "10.0.2.0/24");
        ConfigHashes.Sum s = new ConfigHashes.Sum().add(ConfigHashes.interfaceDigest(base.getInterfaceConfig()));
        base.getPeersList().forEach(p -> s.add(ConfigHashes.peerDigest(p)));
        assertThat(s.hex()).isEqualTo(ConfigHashes.hash(base));
        s.add(ConfigHashes.peerDigest(extra));
        assertThat(s.hex())
                .isEqualTo(ConfigHashes.hash(base.toBuilder().addPeers(extra).build()))
                .isNotEqualTo(ConfigHashes.hash(base));
        s.subtract(ConfigHashes.peerDigest(extra));
        assertThat(s.hex()).isEqualTo(ConfigHashes.hash(base));
    }
}
