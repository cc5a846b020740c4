package dev.wgmesh.dataplane.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.0.0.0/24} or {@code fd00::/64}, always stored in canonical form (host
 * bits zero), as WireGuard's allowed-IPs table keeps them ({@code wg set ... allowed-ips 10.0.0.5/24} shows
 * {@code 10.0.0.0/24}).
 *
 * @param address 4 or 16 bytes, host bits cleared (do not mutate)
 * @param bits prefix length, 0..32 or 0..128
 */
public record IpPrefix(byte[] address, int bits) {

    public IpPrefix {
        if (address == null || (address.length != 4 && address.length != 16)) {
            throw new IllegalArgumentException("prefix address must be 4 or 16 bytes");
        }
        if (bits < 0 || bits > address.length * 8) {
            throw new IllegalArgumentException("prefix length out of range");
        }
        address = canonical(address, bits);
    }

    /** Parses {@code a.b.c.d/n}, {@code v6/n}, or a bare address (a host prefix /32 or /128). */
    public static IpPrefix parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        String host = slash < 0 ? s : s.substring(0, slash);
        byte[] addr = parseAddress(host);
        int bits = addr.length * 8;
        if (slash >= 0) {
            String len = s.substring(slash + 1);
            if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("invalid prefix length in '" + text + "'");
            }
            bits = Integer.parseInt(len);
            if (bits > addr.length * 8) {
                throw new IllegalArgumentException("prefix length too long in '" + text + "'");
            }
        }
        return new IpPrefix(addr, bits);
    }

    /** Parses an IPv4 dotted quad or an IPv6 literal; never does a DNS lookup. */
    public static byte[] parseAddress(String host) {
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty address");
        }
        boolean v6 = host.indexOf(':') >= 0;
        if (!v6) {
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                throw new IllegalArgumentException("invalid IPv4 address '" + host + "'");
            }
            byte[] out = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                    throw new IllegalArgumentException("invalid IPv4 address '" + host + "'");
                }
                int v = Integer.parseInt(p);
                if (v > 255) {
                    throw new IllegalArgumentException("invalid IPv4 address '" + host + "'");
                }
                out[i] = (byte) v;
            }
            return out;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                throw new IllegalArgumentException("invalid IPv6 address '" + host + "'");
            }
        }
        try {
            byte[] out = InetAddress.getByName(host).getAddress();
            if (out.length == 4) {
                // An IPv4-mapped literal (::ffff:a.b.c.d) comes back as IPv4; keep it as IPv6.
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(out, 0, mapped, 12, 4);
                return mapped;
            }
            return out;
        } catch (UnknownHostException | SecurityException ex) {
            throw new IllegalArgumentException("invalid IPv6 address '" + host + "'");
        }
    }

    private static byte[] canonical(byte[] address, int bits) {
        byte[] out = Arrays.copyOf(address, address.length);
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            out[i] &= (byte) (0xff00 >>> keep);
        }
        return out;
    }

    public boolean isIpv6() {
        return address.length == 16;
    }

    /** True when {@code addr[off..off+address.length)} lies inside this prefix (same family assumed). */
    public boolean contains(byte[] addr, int off, int len) {
        if (len != address.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (addr[off + i] != address[i]) {
                return false;
            }
        }
        int rem = bits % 8;
        if (rem == 0) {
            return true;
        }
        int mask = (0xff00 >>> rem) & 0xff;
        return (addr[off + full] & mask) == (address[full] & 0xff);
    }

    public boolean overlaps(IpPrefix other) {
        if (address.length != other.address.length) {
            return false;
        }
        IpPrefix shorter = bits <= other.bits ? this : other;
        IpPrefix longer = shorter == this ? other : this;
        return shorter.contains(longer.address, 0, longer.address.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && bits == p.bits && Arrays.equals(address, p.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + bits;
    }

    /** {@code 10.0.0.0/24}, {@code fd00::/64} (RFC 5952 compressed), as wg(8) prints allowed IPs. */
    @Override
    public String toString() {
        return formatAddress(address) + "/" + bits;
    }

    public static String formatAddress(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
