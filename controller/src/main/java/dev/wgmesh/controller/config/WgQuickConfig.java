package dev.wgmesh.controller.config;

import java.util.List;

/**
 * Everything a wg-quick file for one device says, already resolved (keys revealed, prefixes chosen). Holds key
 * material: lives for one request, never logged.
 *
 * @param privateKey null when the user brought their own key pair: the file then carries a placeholder
 */
record WgQuickConfig(
        String comment,
        String privateKey,
        List<String> addresses,
        Integer listenPort,
        List<String> dns,
        int mtu,
        List<PeerSection> peers) {

    record PeerSection(
            String comment,
            String publicKey,
            String presharedKey,
            List<String> allowedIps,
            String endpoint,
            int persistentKeepalive) {
        @Override
        public String toString() {
            return "PeerSection[" + comment + "]";
        }
    }

    @Override
    public String toString() {
        return "WgQuickConfig[" + comment + "]";
    }
}
