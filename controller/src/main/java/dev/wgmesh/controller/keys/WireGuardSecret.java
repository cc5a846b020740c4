package dev.wgmesh.controller.keys;

/**
 * A private or preshared key in WireGuard's base64 form. {@link #toString()} never reveals it, so a secret that ends
 * up in a log line, an exception or a debugger's summary stays secret; {@link #reveal()} is the one deliberate exit
 * (the config export).
 */
public final class WireGuardSecret {
    private final String base64;

    WireGuardSecret(String base64) {
        this.base64 = base64;
    }

    public String reveal() {
        return base64;
    }

    @Override
    public String toString() {
        return "WireGuardSecret[redacted]";
    }
}
