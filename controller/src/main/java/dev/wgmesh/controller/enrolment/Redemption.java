package dev.wgmesh.controller.enrolment;

import java.util.UUID;

/** A successful redemption: where the new agent belongs. {@code siteId} is null for keys not bound to a site. */
public record Redemption(UUID keyId, UUID networkId, UUID siteId) {}
