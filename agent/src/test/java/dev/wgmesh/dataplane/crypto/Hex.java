package dev.wgmesh.dataplane.crypto;

import java.util.HexFormat;

/** Test helper: hex literals without whitespace noise. */
public final class Hex {
    private Hex() {}

    public static byte[] of(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s", ""));
    }

    public static String str(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
