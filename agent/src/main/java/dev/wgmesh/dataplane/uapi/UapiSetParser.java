package dev.wgmesh.dataplane.uapi;

import dev.wgmesh.dataplane.config.ConfigChange;
import dev.wgmesh.dataplane.config.ConfigChange.PeerChange;
import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.IpPrefix;
import dev.wgmesh.dataplane.io.Endpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the lines of one UAPI {@code set=1} transaction into a single {@link ConfigChange} (wireguard.com/xplatform,
 * "Configuration Protocol"). Unlike wireguard-go, which applies each line as it reads it, nothing is applied here:
 * the caller applies the whole change atomically, so a bad line anywhere leaves the device untouched.
 *
 * <p>Grammar (one {@code key=value} per line; the first {@code public_key} switches from device to peer keys):
 *
 * <pre>
 *   device: private_key=HEX64 | listen_port=0..65535 | fwmark=0..2^32-1 | replace_peers=true
 *   peer:   public_key=HEX64 (starts a peer) | remove=true | update_only=true | preshared_key=HEX64
 *           | endpoint=IP:PORT or [IP6]:PORT | persistent_keepalive_interval=0..65535
 *           | replace_allowed_ips=true | allowed_ip=IP/BITS | protocol_version=1
 * </pre>
 *
 * <p>Errors follow wireguard-go: a line without {@code =} is a protocol error (EPROTO); an unknown key or a bad
 * value is EINVAL. Messages name the key, never a key's value.
 */
public final class UapiSetParser {
    private byte[] privateKey;
    private Integer listenPort;
    private Integer fwmark;
    private boolean replacePeers;
    private final List<PeerChange> peers = new ArrayList<>();
    private PeerBuilder peer;

    /** Feeds one line (without its newline). */
    public void line(String line) throws ConfigException {
        int eq = line.indexOf('=');
        if (eq < 0) {
            throw new ConfigException(ConfigException.EPROTO, "failed to parse line: no '=' in a UAPI set line");
        }
        String key = line.substring(0, eq);
        String value = line.substring(eq + 1);
        if (key.equals("public_key")) {
            finishPeer();
            peer = new PeerBuilder(hexKey(key, value));
            return;
        }
        if (peer == null) {
            deviceLine(key, value);
        } else {
            peerLine(key, value);
        }
    }

    /** The whole transaction as one change; call after the terminating empty line. */
    public ConfigChange finish() {
        finishPeer();
        return new ConfigChange(privateKey, listenPort, fwmark, replacePeers, peers);
    }

    private void finishPeer() {
        if (peer != null) {
            peers.add(peer.build());
            peer = null;
        }
    }

    private void deviceLine(String key, String value) throws ConfigException {
        switch (key) {
            case "private_key" -> privateKey = hexKey(key, value);
            case "listen_port" -> listenPort = (int) unsigned(key, value, 0xffffL);
            case "fwmark" -> fwmark = (int) unsigned(key, value, 0xffffffffL);
            case "replace_peers" -> replacePeers = isTrue(key, value);
            default -> throw new ConfigException(ConfigException.EINVAL, "invalid UAPI device key: " + safe(key));
        }
    }

    private void peerLine(String key, String value) throws ConfigException {
        switch (key) {
            case "remove" -> peer.remove = isTrue(key, value);
            case "update_only" -> peer.updateOnly = isTrue(key, value);
            case "preshared_key" -> peer.presharedKey = hexKey(key, value);
            case "endpoint" -> peer.endpoint = endpoint(value);
            case "persistent_keepalive_interval" -> peer.keepalive = (int) unsigned(key, value, 0xffffL);
            case "replace_allowed_ips" -> {
                isTrue(key, value);
                // Like wireguard-go, replacing drops everything so far, including allowed_ip lines above it.
                peer.replaceAllowedIps = true;
                peer.allowedIps.clear();
            }
            case "allowed_ip" -> peer.allowedIps.add(prefix(value));
            case "protocol_version" -> {
                if (!value.equals("1")) {
                    throw new ConfigException(ConfigException.EINVAL, "invalid protocol version");
                }
            }
            default -> throw new ConfigException(ConfigException.EINVAL, "invalid UAPI peer key: " + safe(key));
        }
    }

    private static boolean isTrue(String key, String value) throws ConfigException {
        if (!value.equals("true")) {
            throw new ConfigException(ConfigException.EINVAL, key + " accepts only 'true'");
        }
        return true;
    }

    /** 64 hex digits (either case, as Go's hex.DecodeString accepts) → 32 bytes. */
    static byte[] hexKey(String key, String value) throws ConfigException {
        if (value.length() != 64) {
            throw new ConfigException(ConfigException.EINVAL, key + " must be 64 hex digits");
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 32; i++) {
            int hi = Character.digit(value.charAt(2 * i), 16);
            int lo = Character.digit(value.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0 || value.charAt(2 * i) > 'f' || value.charAt(2 * i + 1) > 'f') {
                throw new ConfigException(ConfigException.EINVAL, key + " must be 64 hex digits");
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    /** Decimal digits only (no sign, no spaces), as Go's strconv.ParseUint with base 10. */
    private static long unsigned(String key, String value, long max) throws ConfigException {
        if (value.isEmpty() || value.length() > 20) {
            throw new ConfigException(ConfigException.EINVAL, "invalid " + key);
        }
        long v = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new ConfigException(ConfigException.EINVAL, "invalid " + key);
            }
            v = v * 10 + (c - '0');
            if (v > max) {
                throw new ConfigException(ConfigException.EINVAL, key + " out of range");
            }
        }
        return v;
    }

    private static String endpoint(String value) throws ConfigException {
        try {
            return Endpoint.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigException.EINVAL, "invalid endpoint: " + e.getMessage());
        }
    }

    /** {@code IP/BITS}; the length is required, as wg(8) always sends it and netip.ParsePrefix demands it. */
    private static IpPrefix prefix(String value) throws ConfigException {
        if (value.indexOf('/') < 0) {
            throw new ConfigException(ConfigException.EINVAL, "invalid allowed_ip: missing prefix length");
        }
        try {
            return IpPrefix.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigException.EINVAL, "invalid allowed_ip: " + e.getMessage());
        }
    }

    /** Echo a key name in an error without letting arbitrary input (or a pasted secret) through. */
    private static String safe(String key) {
        String k = key.length() > 40 ? key.substring(0, 40) + "..." : key;
        return k.replaceAll("[^a-z0-9_]", "?");
    }

    private static final class PeerBuilder {
        final byte[] publicKey;
        boolean remove;
        boolean updateOnly;
        byte[] presharedKey;
        String endpoint;
        Integer keepalive;
        boolean replaceAllowedIps;
        final List<IpPrefix> allowedIps = new ArrayList<>();

        PeerBuilder(byte[] publicKey) {
            this.publicKey = publicKey;
        }

        PeerChange build() {
            return new PeerChange(
                    publicKey, remove, updateOnly, presharedKey, endpoint, keepalive, replaceAllowedIps, allowedIps);
        }
    }
}
