package dev.wgmesh.controller.common;

import java.util.regex.Pattern;

/** Names of networks, sites and peers: DNS-label-like, so they are safe in file names and interface names. */
public final class Names {
    public static final String REGEX = "[A-Za-z0-9][A-Za-z0-9._-]{0,62}";
    public static final String MESSAGE =
            "1-63 characters: letters, digits, '.', '_' or '-', starting with a letter or digit";
    private static final Pattern PATTERN = Pattern.compile(REGEX);

    private Names() {}

    public static boolean valid(String name) {
        return name != null && PATTERN.matcher(name).matches();
    }
}
