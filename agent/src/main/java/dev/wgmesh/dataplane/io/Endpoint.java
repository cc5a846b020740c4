package dev.wgmesh.dataplane.io;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * A peer's UDP address plus the local address it last reached us on (the "sticky source").
 *
 * <pre>
 *   destination  = addr[0..addrLen) : port      (addrLen 4 = IPv4, 16 = IPv6)
 *   sticky source = src[0..srcLen)  on ifindex  (srcLen 0 = let the routing table choose)
 * </pre>
 *
 * <p>Mutable on purpose: receivers fill one preallocated instance per packet without allocating. A peer's
 * endpoint is replaced (copy-on-roam) rather than mutated in place, so senders never see a half-written value.
 */
public final class Endpoint {
    private final byte[] addr = new byte[16];
    private int addrLen;
    private int port;
    private final byte[] src = new byte[16];
    private int srcLen;
    private int srcIfindex;

    public static Endpoint of(InetSocketAddress socketAddress) {
        Endpoint e = new Endpoint();
        e.setAddress(socketAddress.getAddress().getAddress(), socketAddress.getPort());
        return e;
    }

    /** Parses {@code host:port} or {@code [v6]:port}, as wg(8) writes endpoints; the host must be a literal. */
    public static Endpoint parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("endpoint must be host:port");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 endpoint must be written [address]:port");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("endpoint port is not a number");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("endpoint port out of range");
        }
        if (!isLiteral(host)) {
            throw new IllegalArgumentException("endpoint host must be an IP address literal");
        }
        try {
            return of(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException ex) {
            throw new IllegalArgumentException("endpoint host is not an IP address");
        }
    }

    private static boolean isLiteral(String host) {
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= '0' && c <= '9')
                    || (c >= 'a' && c <= 'f')
                    || (c >= 'A' && c <= 'F')
                    || c == '.'
                    || c == ':'
                    || c == '%';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public void setAddress(byte[] address, int port) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes");
        }
        System.arraycopy(address, 0, addr, 0, address.length);
        this.addrLen = address.length;
        this.port = port;
    }

    /** Hot-path setter used by receivers: copies {@code len} bytes from {@code address[off..]}. */
    public void set(byte[] address, int off, int len, int port) {
        System.arraycopy(address, off, addr, 0, len);
        this.addrLen = len;
        this.port = port;
    }

    public void setSource(byte[] address, int off, int len, int ifindex) {
        System.arraycopy(address, off, src, 0, len);
        this.srcLen = len;
        this.srcIfindex = ifindex;
    }

    public void clearSource() {
        srcLen = 0;
        srcIfindex = 0;
    }

    public void copyFrom(Endpoint other) {
        System.arraycopy(other.addr, 0, addr, 0, 16);
        addrLen = other.addrLen;
        port = other.port;
        System.arraycopy(other.src, 0, src, 0, 16);
        srcLen = other.srcLen;
        srcIfindex = other.srcIfindex;
    }

    public Endpoint copy() {
        Endpoint e = new Endpoint();
        e.copyFrom(this);
        return e;
    }

    /** True when destination address and port are equal (the sticky source is not compared). */
    public boolean sameDestination(Endpoint other) {
        return other != null
                && addrLen == other.addrLen
                && port == other.port
                && Arrays.equals(addr, 0, addrLen, other.addr, 0, other.addrLen);
    }

    /** True when destination and sticky source are both equal. */
    public boolean sameAs(Endpoint other) {
        return sameDestination(other)
                && srcLen == other.srcLen
                && srcIfindex == other.srcIfindex
                && Arrays.equals(src, 0, srcLen, other.src, 0, other.srcLen);
    }

    public byte[] addressBytes() {
        return addr;
    }

    public int addressLength() {
        return addrLen;
    }

    public boolean isIpv6() {
        return addrLen == 16;
    }

    public int port() {
        return port;
    }

    public byte[] sourceBytes() {
        return src;
    }

    public int sourceLength() {
        return srcLen;
    }

    public int sourceIfindex() {
        return srcIfindex;
    }

    /** Writes the destination IP then port, as the cookie MAC input wants it (whitepaper §5.4.7). */
    public int writeAddressAndPort(byte[] out, int off) {
        System.arraycopy(addr, 0, out, off, addrLen);
        out[off + addrLen] = (byte) (port >>> 8);
        out[off + addrLen + 1] = (byte) port;
        return addrLen + 2;
    }

    public InetSocketAddress toSocketAddress() {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOf(addr, addrLen)), port);
        } catch (UnknownHostException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** wg(8) notation: {@code 192.0.2.1:51820} or {@code [2001:db8::1]:51820}. */
    @Override
    public String toString() {
        if (addrLen == 0) {
            return "(none)";
        }
        InetSocketAddress sa = toSocketAddress();
        String host = sa.getAddress().getHostAddress();
        if (sa.getAddress() instanceof Inet6Address) {
            int pct = host.indexOf('%');
            if (pct >= 0) {
                host = host.substring(0, pct);
            }
            return "[" + compressV6(host) + "]:" + port;
        }
        return host + ":" + port;
    }

    private static String compressV6(String full) {
        // InetAddress prints the uncompressed form (2001:db8:0:0:0:0:0:1); wg prints the RFC 5952 form.
        String[] parts = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < parts.length; ) {
            if (parts[i].equals("0")) {
                int j = i;
                while (j < parts.length && parts[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            sb.append(i > 0 ? ":" : "").append(parts[i]);
        }
        sb.append("::");
        for (int i = bestStart + bestLen; i < parts.length; i++) {
            sb.append(parts[i]).append(i < parts.length - 1 ? ":" : "");
        }
        return sb.toString();
    }
}
