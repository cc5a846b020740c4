package dev.wgmesh.controller.agentapi;

import dev.wgmesh.proto.v1.ConfigHashes;
import dev.wgmesh.proto.v1.InterfaceConfig;
import dev.wgmesh.proto.v1.PeerConfig;

/**
 * One peer of an agent's configuration together with its term of the contract's configuration hash
 * ({@link ConfigHashes#peerDigest}), computed once when the entry is built. An agent peer's entry is shared by every
 * map it is in, so its digest is too; a map's hash is kept up to date by adding and subtracting these
 * ({@link ConfigHashes.Sum}), never by rehashing the map.
 */
record ConfigEntry(PeerConfig config, byte[] digest) {
    static ConfigEntry of(PeerConfig config) {
        return new ConfigEntry(config, ConfigHashes.peerDigest(config));
    }

    /** The interface's term of the hash. */
    static byte[] interfaceDigest(InterfaceConfig iface) {
        return ConfigHashes.interfaceDigest(iface);
    }

    /** Same value as {@link ConfigHashes#hash} of the config made of this interface and these peers (any order). */
    static String hash(byte[] interfaceDigest, Iterable<ConfigEntry> peers) {
        ConfigHashes.Sum sum = new ConfigHashes.Sum().add(interfaceDigest);
        for (ConfigEntry e : peers) {
            sum.add(e.digest);
        }
        return sum.hex();
    }

    /** Same peer, same data-plane settings and same operator-facing extras (name, probe). */
    boolean sameAs(ConfigEntry other) {
        return other != null && (other == this || config.equals(other.config));
    }
}
