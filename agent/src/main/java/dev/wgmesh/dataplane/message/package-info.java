/**
 * Wire formats (whitepaper §5.4.2–§5.4.7): fixed offsets of the four message types, little-endian accessors, the
 * strict type/reserved/size check, and the constants — protocol values in
 * {@link dev.wgmesh.dataplane.message.WireGuardSpec}, our own limits in {@link dev.wgmesh.dataplane.message.Limits}.
 */
package dev.wgmesh.dataplane.message;
