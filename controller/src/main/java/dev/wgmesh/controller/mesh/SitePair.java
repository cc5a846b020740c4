package dev.wgmesh.controller.mesh;

import java.util.UUID;

/** An unordered pair of sites in canonical order ({@code low < high} as UUID text, as stored). */
public record SitePair(UUID low, UUID high) {
    public static SitePair of(UUID a, UUID b) {
        return a.toString().compareTo(b.toString()) <= 0 ? new SitePair(a, b) : new SitePair(b, a);
    }
}
