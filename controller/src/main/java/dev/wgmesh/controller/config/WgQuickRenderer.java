package dev.wgmesh.controller.config;

/**
 * Writes the wg-quick(8) file format: an {@code [Interface]} section (wg(8) keys plus wg-quick's Address, DNS, MTU)
 * and one {@code [Peer]} section per peer. Deterministic: the same input gives the same bytes, so the text and its QR
 * code always agree. Lines end in LF; comments ("#") are dropped by {@code wg-quick strip}.
 */
final class WgQuickRenderer {
    /** Written when the controller does not hold the device's private key (the user brought a public key). */
    static final String PRIVATE_KEY_PLACEHOLDER = "REPLACE_WITH_YOUR_PRIVATE_KEY";

    private WgQuickRenderer() {}

    static String render(WgQuickConfig c) {
        StringBuilder sb = new StringBuilder(512);
        sb.append("# ").append(c.comment()).append('\n');
        sb.append("[Interface]\n");
        if (c.privateKey() == null) {
            sb.append("# This controller never saw this device's private key: paste it below.\n");
            sb.append("PrivateKey = ").append(PRIVATE_KEY_PLACEHOLDER).append('\n');
        } else {
            sb.append("PrivateKey = ").append(c.privateKey()).append('\n');
        }
        sb.append("Address = ").append(String.join(", ", c.addresses())).append('\n');
        if (c.listenPort() != null) {
            sb.append("ListenPort = ").append(c.listenPort()).append('\n');
        }
        if (!c.dns().isEmpty()) {
            sb.append("DNS = ").append(String.join(", ", c.dns())).append('\n');
        }
        sb.append("MTU = ").append(c.mtu()).append('\n');
        for (WgQuickConfig.PeerSection p : c.peers()) {
            sb.append('\n');
            sb.append("# ").append(p.comment()).append('\n');
            sb.append("[Peer]\n");
            sb.append("PublicKey = ").append(p.publicKey()).append('\n');
            sb.append("PresharedKey = ").append(p.presharedKey()).append('\n');
            sb.append("AllowedIPs = ").append(String.join(", ", p.allowedIps())).append('\n');
            sb.append("Endpoint = ").append(p.endpoint()).append('\n');
            if (p.persistentKeepalive() > 0) {
                sb.append("PersistentKeepalive = ")
                        .append(p.persistentKeepalive())
                        .append('\n');
            }
        }
        return sb.toString();
    }
}
