package dev.wgmesh.dataplane.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {

    /** The obviously correct table: a linear scan for the longest containing prefix. */
    private static final class Reference {
        final Map<IpPrefix, String> owners = new LinkedHashMap<>();

        String lookup(byte[] addr) {
            IpPrefix best = null;
            for (IpPrefix p : owners.keySet()) {
                if (p.contains(addr, 0, addr.length) && (best == null || p.bits() > best.bits())) {
                    best = p;
                }
            }
            return best == null ? null : owners.get(best);
        }
    }

    private static byte[] ip(String s) {
        return IpPrefix.parseAddress(s);
    }

    @Test
    void longestPrefixWins() {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.0/8"), "a");
        t.insert(IpPrefix.parse("10.1.0.0/16"), "b");
        t.insert(IpPrefix.parse("10.1.2.3/32"), "c");
        t.insert(IpPrefix.parse("0.0.0.0/0"), "default");
        t.insert(IpPrefix.parse("fd00::/8"), "v6");
        t.insert(IpPrefix.parse("fd00:1::/32"), "v6b");
        assertThat(t.lookup(ip("10.1.2.3"))).isEqualTo("c");
        assertThat(t.lookup(ip("10.1.2.4"))).isEqualTo("b");
        assertThat(t.lookup(ip("10.2.0.1"))).isEqualTo("a");
        assertThat(t.lookup(ip("192.0.2.1"))).isEqualTo("default");
        assertThat(t.lookup(ip("fd00:1::5"))).isEqualTo("v6b");
        assertThat(t.lookup(ip("fd12::5"))).isEqualTo("v6");
        assertThat(t.lookup(ip("2001:db8::1"))).isNull();
        assertThat(t.lookup(new byte[5], 0, 5)).isNull();
        byte[] packet = new byte[40];
        System.arraycopy(ip("10.1.2.3"), 0, packet, 12, 4);
        assertThat(t.lookup(packet, 12, 4)).isEqualTo("c");
    }

    @Test
    void ipv4AndIpv6AreSeparate() {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("::/0"), "v6");
        assertThat(t.lookup(ip("10.0.0.1"))).isNull();
        t.insert(IpPrefix.parse("0.0.0.0/0"), "v4");
        assertThat(t.lookup(ip("::1"))).isEqualTo("v6");
        assertThat(t.lookup(ip("10.0.0.1"))).isEqualTo("v4");
    }

    @Test
    void prefixMovesToNewOwnerAndListsKeepInsertionOrder() {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.0/24"), "a");
        t.insert(IpPrefix.parse("10.0.1.0/24"), "a");
        t.insert(IpPrefix.parse("fd00::/64"), "a");
        t.insert(IpPrefix.parse("10.0.0.0/24"), "a"); // same owner: keeps its place
        assertThat(t.prefixesOf("a"))
                .extracting(Object::toString)
                .containsExactly("10.0.0.0/24", "10.0.1.0/24", "fd00::/64");
        t.insert(IpPrefix.parse("10.0.1.7/24"), "b"); // canonicalised, moves from a to b
        assertThat(t.prefixesOf("a")).extracting(Object::toString).containsExactly("10.0.0.0/24", "fd00::/64");
        assertThat(t.prefixesOf("b")).extracting(Object::toString).containsExactly("10.0.1.0/24");
        assertThat(t.lookup(ip("10.0.1.9"))).isEqualTo("b");
        assertThat(t.ownerOf(IpPrefix.parse("10.0.1.0/24"))).isEqualTo("b");
        assertThat(t.size()).isEqualTo(3);
    }

    @Test
    void removeAndRemoveAll() {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.0/8"), "a");
        t.insert(IpPrefix.parse("10.1.0.0/16"), "b");
        t.insert(IpPrefix.parse("10.2.0.0/16"), "b");
        t.insert(IpPrefix.parse("fd00::/8"), "b");
        assertThat(t.remove(IpPrefix.parse("10.1.0.0/16"))).isEqualTo("b");
        assertThat(t.remove(IpPrefix.parse("10.1.0.0/16"))).isNull();
        assertThat(t.lookup(ip("10.1.0.1"))).isEqualTo("a");
        assertThat(t.removeAll("b")).isEqualTo(2);
        assertThat(t.lookup(ip("10.2.0.1"))).isEqualTo("a");
        assertThat(t.lookup(ip("fd00::1"))).isNull();
        assertThat(t.prefixesOf("b")).isEmpty();
        assertThat(t.removeAll("b")).isZero();
        assertThat(t.size()).isEqualTo(1);
        t.remove(IpPrefix.parse("10.0.0.0/8"));
        assertThat(t.lookup(ip("10.2.0.1"))).isNull();
        assertThat(t.size()).isZero();
    }

    @Test
    void removingAnInnerPrefixKeepsBothSides() {
        AllowedIps<String> t = new AllowedIps<>();
        t.insert(IpPrefix.parse("10.0.0.0/16"), "mid");
        t.insert(IpPrefix.parse("10.0.0.0/24"), "left");
        t.insert(IpPrefix.parse("10.0.128.0/24"), "right");
        t.remove(IpPrefix.parse("10.0.0.0/16"));
        assertThat(t.lookup(ip("10.0.0.1"))).isEqualTo("left");
        assertThat(t.lookup(ip("10.0.128.1"))).isEqualTo("right");
        assertThat(t.lookup(ip("10.0.64.1"))).isNull();
    }

    @Test
    void rejectsNullValue() {
        AllowedIps<String> t = new AllowedIps<>();
        assertThatThrownBy(() -> t.insert(IpPrefix.parse("10.0.0.0/8"), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomIpv4AgainstLinearScan() {
        randomized(4, 1);
    }

    @Test
    void randomIpv6AgainstLinearScan() {
        randomized(16, 2);
    }

    /**
     * Random inserts (clustered so prefixes nest and share bits), moves, removals and removeAll, with random
     * lookups after each batch compared to the linear scan.
     */
    private static void randomized(int len, long seed) {
        Random rnd = new Random(seed);
        String[] owners = {"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"};
        for (int round = 0; round < 8; round++) {
            AllowedIps<String> t = new AllowedIps<>();
            Reference ref = new Reference();
            byte[] base = new byte[len];
            rnd.nextBytes(base);
            for (int step = 0; step < 600; step++) {
                int op = rnd.nextInt(20);
                if (op < 14) {
                    IpPrefix p = new IpPrefix(near(base, rnd), rnd.nextInt(len * 8 + 1));
                    String o = owners[rnd.nextInt(owners.length)];
                    t.insert(p, o);
                    ref.owners.put(p, o);
                } else if (op < 19 && !ref.owners.isEmpty()) {
                    List<IpPrefix> keys = new ArrayList<>(ref.owners.keySet());
                    IpPrefix p = keys.get(rnd.nextInt(keys.size()));
                    assertThat(t.remove(p)).isEqualTo(ref.owners.remove(p));
                } else {
                    String o = owners[rnd.nextInt(owners.length)];
                    int before = ref.owners.size();
                    ref.owners.values().removeIf(o::equals);
                    assertThat(t.removeAll(o)).isEqualTo(before - ref.owners.size());
                }
                assertThat(t.size()).isEqualTo(ref.owners.size());
                for (int q = 0; q < 20; q++) {
                    byte[] a = rnd.nextBoolean()
                            ? near(base, rnd)
                            : pick(ref, rnd, len); // inside or next to an existing prefix
                    assertThat(t.lookup(a, 0, len))
                            .as("lookup %s", IpPrefix.formatAddress(a))
                            .isEqualTo(ref.lookup(a));
                }
            }
            for (String o : owners) {
                List<IpPrefix> expected = new ArrayList<>();
                ref.owners.forEach((p, v) -> {
                    if (v.equals(o)) {
                        expected.add(p);
                    }
                });
                assertThat(t.prefixesOf(o)).containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    /** An address sharing a random-length prefix with {@code base}, so that generated prefixes overlap. */
    private static byte[] near(byte[] base, Random rnd) {
        byte[] a = base.clone();
        int keep = rnd.nextInt(base.length * 8 + 1);
        for (int bit = keep; bit < a.length * 8; bit++) {
            if (rnd.nextBoolean()) {
                a[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            }
        }
        return a;
    }

    private static byte[] pick(Reference ref, Random rnd, int len) {
        if (ref.owners.isEmpty()) {
            byte[] a = new byte[len];
            rnd.nextBytes(a);
            return a;
        }
        List<IpPrefix> keys = new ArrayList<>(ref.owners.keySet());
        IpPrefix p = keys.get(rnd.nextInt(keys.size()));
        byte[] a = p.address().clone();
        // Randomize the host bits, and sometimes flip the last prefix bit to land just outside.
        for (int bit = p.bits(); bit < len * 8; bit++) {
            if (rnd.nextBoolean()) {
                a[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
            }
        }
        if (p.bits() > 0 && rnd.nextInt(4) == 0) {
            int bit = p.bits() - 1;
            a[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
        }
        return a;
    }
}
