package dev.wgmesh.controller.ipam;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address as an unsigned integer, parsed from a literal without ever touching DNS.
 *
 * <p>Only canonical-looking input is accepted: dotted-quad IPv4 (no {@code 10.1} shorthand, no leading zeros that some
 * parsers read as octal) and RFC 4291 IPv6 without zone or brackets. Output is RFC 5952 canonical text.
 */
public record IpAddress(int family, BigInteger value) implements Comparable<IpAddress> {
    private static final Pattern IPV4 =
            Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    public IpAddress {
        if (family != 4 && family != 6) {
            throw new IllegalArgumentException("family must be 4 or 6");
        }
        if (value.signum() < 0 || value.bitLength() > bits(family)) {
            throw new IllegalArgumentException("value out of range for IPv" + family);
        }
    }

    public static int bits(int family) {
        return family == 4 ? 32 : 128;
    }

    public int bits() {
        return bits(family);
    }

    /** Parses a literal; the message of the exception is fit for a user. */
    public static IpAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("is empty");
        }
        if (IPV4.matcher(text).matches()) {
            long v = 0;
            for (String octet : text.split("\\.")) {
                v = (v << 8) | Integer.parseInt(octet);
            }
            return new IpAddress(4, BigInteger.valueOf(v));
        }
        if (text.indexOf(':') >= 0 && IPV6_CHARS.matcher(text).matches()) {
            try {
                InetAddress a = Inet6Address.ofLiteral(text);
                if (a instanceof Inet6Address) {
                    return new IpAddress(6, new BigInteger(1, a.getAddress()));
                }
            } catch (IllegalArgumentException ex) {
                // fall through to the common message
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not an IPv4 (a.b.c.d) or IPv6 address literal");
    }

    @Override
    public String toString() {
        return family == 4 ? formatV4() : formatV6();
    }

    private String formatV4() {
        long v = value.longValue();
        return ((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
    }

    /** RFC 5952 §4: lower case, no leading zeros, the longest run (first if tied) of 2+ zero groups as "::". */
    private String formatV6() {
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = value.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    @Override
    public int compareTo(IpAddress o) {
        int c = Integer.compare(family, o.family);
        return c != 0 ? c : value.compareTo(o.value);
    }
}
