package dev.wgmesh.controller.site;

import java.util.List;

/**
 * Body of POST and PUT {@code /api/v1/networks/{n}/sites}.
 *
 * @param lanPrefixes CIDR prefixes behind the site (IPv4 or IPv6, no host bits), disjoint from each other, from other
 *     sites' and from the network's tunnel prefixes
 */
public record SiteRequest(String name, List<String> lanPrefixes) {}
