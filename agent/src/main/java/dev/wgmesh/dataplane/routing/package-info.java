/** Cryptokey routing (whitepaper §2): the {@link dev.wgmesh.dataplane.routing.AllowedIps} longest-prefix-match trie. */
package dev.wgmesh.dataplane.routing;
