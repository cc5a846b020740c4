package dev.wgmesh.agent.host;

import dev.wgmesh.dataplane.config.IpPrefix;
import java.util.Arrays;

/**
 * An address on an interface with its prefix length, e.g. {@code 10.99.0.7/24}. Unlike {@link IpPrefix} the host bits
 * are kept: they are the address.
 *
 * @param address 4 or 16 bytes (do not mutate)
 * @param prefixLength 0..32 or 0..128
 */
public record HostAddress(byte[] address, int prefixLength) {

    public HostAddress {
        if (address == null || (address.length != 4 && address.length != 16)) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes");
        }
        if (prefixLength < 0 || prefixLength > address.length * 8) {
            throw new IllegalArgumentException("prefix length out of range");
        }
        address = address.clone();
    }

    /**
     * Parses {@code addr/len} or a bare address (a host address, /32 or /128). The syntax is checked by
     * {@link IpPrefix#parse}; the unspecified address and multicast addresses are refused (the kernel would refuse or
     * misuse them).
     */
    public static HostAddress parse(String text) {
        IpPrefix syntax = IpPrefix.parse(text); // validates both parts, never a DNS lookup
        String s = text.trim();
        int slash = s.indexOf('/');
        byte[] addr = IpPrefix.parseAddress(slash < 0 ? s : s.substring(0, slash));
        boolean allZero = true;
        for (byte b : addr) {
            allZero &= b == 0;
        }
        boolean multicast = addr.length == 4 ? (addr[0] & 0xf0) == 0xe0 : (addr[0] & 0xff) == 0xff;
        if (allZero || multicast) {
            throw new IllegalArgumentException("'" + text.trim() + "' cannot be an interface address");
        }
        return new HostAddress(addr, syntax.bits());
    }

    public boolean isIpv6() {
        return address.length == 16;
    }

    /** True when both name the same address, whatever the prefix lengths. */
    public boolean sameAddress(HostAddress other) {
        return Arrays.equals(address, other.address);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAddress a && prefixLength == a.prefixLength && Arrays.equals(address, a.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + prefixLength;
    }

    /** {@code 10.99.0.7/24}, {@code fd00::7/64}: the form {@code ip addr add} takes. */
    @Override
    public String toString() {
        return IpPrefix.formatAddress(address) + "/" + prefixLength;
    }
}
