package dev.wgmesh.controller.ipam;

import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigInteger;

/**
 * An IP prefix ({@code base/length}) with no host bits set. Host indexes count from the base address: index 0 is the
 * network address (and for IPv6 the subnet-router anycast address, RFC 4291 §2.6.1), the last IPv4 index the broadcast
 * address; neither is ever given to a peer.
 */
public record Cidr(IpAddress base, int length) {
    public Cidr {
        if (length < 0 || length > base.bits()) {
            throw new IllegalArgumentException("prefix length must be 0-" + base.bits());
        }
        if (!base.value().and(hostMask(base.family(), length)).equals(BigInteger.ZERO)) {
            throw new IllegalArgumentException("host bits set");
        }
    }

    /** Parses {@code address/length}; rejects host bits with a hint at the intended prefix. User-facing messages. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a prefix: expected address/length");
        }
        IpAddress addr = IpAddress.parse(text.substring(0, slash));
        String len = text.substring(slash + 1);
        if (!len.matches("\\d{1,3}") || Integer.parseInt(len) > addr.bits()) {
            throw new IllegalArgumentException(
                    "'" + text + "' has an invalid prefix length: expected 0-" + addr.bits());
        }
        int length = Integer.parseInt(len);
        BigInteger base = addr.value().andNot(hostMask(addr.family(), length));
        if (!base.equals(addr.value())) {
            throw new IllegalArgumentException("'" + text + "' has host bits set; did you mean "
                    + new Cidr(new IpAddress(addr.family(), base), length) + "?");
        }
        return new Cidr(addr, length);
    }

    public static Cidr host(IpAddress address) {
        return new Cidr(address, address.bits());
    }

    private static BigInteger hostMask(int family, int length) {
        return BigInteger.ONE.shiftLeft(IpAddress.bits(family) - length).subtract(BigInteger.ONE);
    }

    public int family() {
        return base.family();
    }

    /** Number of addresses in the prefix. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(base.bits() - length);
    }

    /** The highest host index a peer may get: excludes the IPv4 broadcast address; IPv6 has none. */
    public BigInteger lastUsableIndex() {
        BigInteger last = size().subtract(BigInteger.ONE);
        return family() == 4 ? last.subtract(BigInteger.ONE) : last;
    }

    public boolean contains(IpAddress a) {
        return a.family() == family()
                && a.value().andNot(hostMask(family(), length)).equals(base.value());
    }

    public boolean overlaps(Cidr other) {
        return other.family() == family() && (contains(other.base) || other.contains(base));
    }

    public IpAddress addressAt(BigInteger index) {
        return new IpAddress(family(), base.value().add(index));
    }

    public BigInteger indexOf(IpAddress a) {
        if (!contains(a)) {
            throw new IllegalArgumentException(a + " is outside " + this);
        }
        return a.value().subtract(base.value());
    }

    @JsonValue
    @Override
    public String toString() {
        return base + "/" + length;
    }
}
