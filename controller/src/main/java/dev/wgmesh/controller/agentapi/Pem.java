package dev.wgmesh.controller.agentapi;

import java.util.Base64;

/** RFC 7468 textual encoding. */
final class Pem {
    private Pem() {}

    static String encode(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }
}
