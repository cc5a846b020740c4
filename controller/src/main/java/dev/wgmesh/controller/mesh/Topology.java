package dev.wgmesh.controller.mesh;

/** How the member sites of a mesh are linked. */
public enum Topology {
    /** Every member site has a direct link to every other member site. */
    FULL_MESH,
    /**
     * Hubs link to every member; spokes link only to the hubs and reach each other through the first hub with an
     * active router (the hub forwards, so its agent must route: its site has LAN prefixes).
     */
    HUB_AND_SPOKE,
    /** Only the listed links. No transit: a site reaches only the sites it is linked with. */
    EXPLICIT
}
