package dev.wgmesh.controller.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void parsesAndFormatsCanonically() {
        assertThat(IpAddress.parse("10.0.0.1").toString()).isEqualTo("10.0.0.1");
        assertThat(IpAddress.parse("FD00:0:0:0:0:0:0:1").toString()).isEqualTo("fd00::1");
        assertThat(IpAddress.parse("2001:db8:0:0:1:0:0:1").toString()).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpAddress.parse("2001:db8::").toString()).isEqualTo("2001:db8::");
        assertThat(IpAddress.parse("::").toString()).isEqualTo("::");
        assertThat(IpAddress.parse("1:0:2:3:4:5:6:7").toString()).isEqualTo("1:0:2:3:4:5:6:7"); // one zero: no "::"
        assertThat(Cidr.parse("fd00:100::/64").toString()).isEqualTo("fd00:100::/64");
    }

    @Test
    void rejectsNonLiteralsAndShorthand() {
        for (String bad : new String[] {"10.1", "010.0.0.1", "256.0.0.1", "example.com", "fe80::1%eth0", "[::1]", ""}) {
            assertThatThrownBy(() -> IpAddress.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsHostBitsWithAHint() {
        assertThatThrownBy(() -> Cidr.parse("10.0.0.1/24"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("did you mean 10.0.0.0/24");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0")).hasMessageContaining("address/length");
    }

    @Test
    void overlapAndContainment() {
        Cidr a = Cidr.parse("10.0.0.0/16");
        assertThat(a.overlaps(Cidr.parse("10.0.5.0/24"))).isTrue();
        assertThat(Cidr.parse("10.0.5.0/24").overlaps(a)).isTrue();
        assertThat(a.overlaps(Cidr.parse("10.1.0.0/16"))).isFalse();
        assertThat(a.overlaps(Cidr.parse("fd00::/8"))).isFalse();
        assertThat(a.contains(IpAddress.parse("10.0.255.255"))).isTrue();
        assertThat(a.lastUsableIndex()).isEqualTo(BigInteger.valueOf(65534));
        assertThat(Cidr.parse("fd00::/120").lastUsableIndex()).isEqualTo(BigInteger.valueOf(255));
    }

    /** The RFC 5952 formatter against the JDK's parser on random addresses with runs of zero groups. */
    @Test
    void ipv6FormattingRoundTripsThroughTheJdk() throws Exception {
        Random rnd = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[16];
            for (int g = 0; g < 8; g++) {
                if (rnd.nextInt(3) != 0) {
                    b[2 * g] = (byte) rnd.nextInt(256);
                    b[2 * g + 1] = (byte) rnd.nextInt(256);
                }
            }
            IpAddress a = new IpAddress(6, new BigInteger(1, b));
            String text = a.toString();
            assertThat(InetAddress.getByName(text).getAddress()).as(text).isEqualTo(b);
            assertThat(IpAddress.parse(text)).isEqualTo(a);
            assertThat(text).doesNotContain(":::").isEqualTo(text.toLowerCase());
        }
    }
}
