package dev.wgmesh.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The sizes {@code wg setconf} tests will load: 65,536 prefixes on one peer, and 40 peers × 52 prefixes. Checks
 * correctness at that size (lookups, lists, moves, removal); speed is the JMH {@code AllowedIpsBench}'s job.
 */
class AllowedIpsScaleTest {

    @Test
    void sixtyFiveThousandPrefixesOnOnePeer() {
        AllowedIps<String> t = new AllowedIps<>();
        List<IpPrefix> inserted = new ArrayList<>(65_536);
        // 32,768 IPv4 host routes filling 10.0.0.0/17, and 32,768 IPv6 /64s under fd00::/32.
        for (int i = 0; i < 32_768; i++) {
            IpPrefix v4 = new IpPrefix(new byte[] {10, 0, (byte) (i >>> 8), (byte) i}, 32);
            byte[] a6 = new byte[16];
            a6[0] = (byte) 0xfd;
            a6[6] = (byte) (i >>> 8);
            a6[7] = (byte) i;
            IpPrefix v6 = new IpPrefix(a6, 64);
            t.insert(v4, "peer");
            t.insert(v6, "peer");
            inserted.add(v4);
            inserted.add(v6);
        }
        assertThat(t.size()).isEqualTo(65_536);
        assertThat(t.prefixesOf("peer")).containsExactlyElementsOf(inserted);
        for (IpPrefix p : inserted) {
            assertThat(t.lookup(p.address())).isEqualTo("peer");
            if (p.isIpv6()) {
                byte[] host = p.address().clone();
                host[15] = 1; // a host inside the /64
                assertThat(t.lookup(host))
                        .as("%s", IpPrefix.formatAddress(host))
                        .isEqualTo("peer");
            }
        }
        assertThat(t.lookup(IpPrefix.parseAddress("10.0.128.0"))).isNull();
        assertThat(t.lookup(IpPrefix.parseAddress("fd00:0:0:8000::1"))).isNull();
        assertThat(t.lookup(IpPrefix.parseAddress("fd00:1::1"))).isNull();

        // Moving one prefix away and removing another leave the rest intact.
        t.insert(inserted.get(100), "other");
        assertThat(t.remove(inserted.get(101))).isEqualTo("peer");
        assertThat(t.lookup(inserted.get(100).address())).isEqualTo("other");
        assertThat(t.lookup(inserted.get(101).address())).isNull();
        assertThat(t.lookup(inserted.get(102).address())).isEqualTo("peer");
        assertThat(t.prefixesOf("peer")).hasSize(65_534);

        assertThat(t.removeAll("peer")).isEqualTo(65_534);
        assertThat(t.removeAll("other")).isEqualTo(1);
        assertThat(t.size()).isZero();
        assertThat(t.lookup(IpPrefix.parseAddress("10.0.0.1"))).isNull();
        assertThat(t.lookup(IpPrefix.parseAddress("fd00::1"))).isNull();
    }

    @Test
    void fortyPeersWithFiftyTwoPrefixesEach() {
        Random rnd = new Random(4052);
        AllowedIps<Integer> t = new AllowedIps<>();
        Map<IpPrefix, Integer> ref = new HashMap<>();
        Map<Integer, Set<IpPrefix>> byPeer = new HashMap<>();
        for (int peer = 0; peer < 40; peer++) {
            Set<IpPrefix> mine = new LinkedHashSet<>();
            while (mine.size() < 52) {
                IpPrefix p = randomPrefix(rnd, mine.size() % 2 == 0);
                if (ref.containsKey(p) || mine.contains(p)) {
                    continue;
                }
                mine.add(p);
                ref.put(p, peer);
                t.insert(p, peer);
            }
            byPeer.put(peer, mine);
        }
        assertThat(t.size()).isEqualTo(40 * 52);
        for (int peer = 0; peer < 40; peer++) {
            assertThat(t.prefixesOf(peer)).containsExactlyElementsOf(byPeer.get(peer));
        }
        checkAgainstScan(t, ref, rnd);

        // Peer 7's prefixes move to peer 8; peer 9 is removed.
        for (IpPrefix p : byPeer.get(7)) {
            t.insert(p, 8);
            ref.put(p, 8);
        }
        assertThat(t.prefixesOf(7)).isEmpty();
        assertThat(t.prefixesOf(8)).hasSize(104);
        assertThat(t.removeAll(9)).isEqualTo(52);
        ref.values().removeIf(v -> v == 9);
        assertThat(t.size()).isEqualTo(40 * 52 - 52);
        checkAgainstScan(t, ref, rnd);
    }

    private static IpPrefix randomPrefix(Random rnd, boolean v6) {
        byte[] a = new byte[v6 ? 16 : 4];
        rnd.nextBytes(a);
        if (v6) {
            a[0] = (byte) 0xfd;
            return new IpPrefix(a, 40 + rnd.nextInt(89));
        }
        a[0] = 10;
        return new IpPrefix(a, 12 + rnd.nextInt(21));
    }

    private static void checkAgainstScan(AllowedIps<Integer> t, Map<IpPrefix, Integer> ref, Random rnd) {
        List<IpPrefix> keys = new ArrayList<>(ref.keySet());
        for (int i = 0; i < 5_000; i++) {
            IpPrefix p = keys.get(rnd.nextInt(keys.size()));
            byte[] a = p.address().clone();
            for (int bit = p.bits(); bit < a.length * 8; bit++) {
                if (rnd.nextBoolean()) {
                    a[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                }
            }
            IpPrefix best = null;
            for (IpPrefix q : keys) {
                if (q.contains(a, 0, a.length) && (best == null || q.bits() > best.bits())) {
                    best = q;
                }
            }
            assertThat(t.lookup(a)).isEqualTo(best == null ? null : ref.get(best));
        }
    }
}
