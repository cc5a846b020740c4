/**
 * The device core: {@link dev.wgmesh.dataplane.device.Device} (configuration, lifecycle, threads) and its peers,
 * send path, receive path and handshake worker. Packets that fail any check are dropped and counted by
 * {@link dev.wgmesh.dataplane.device.DropReason}.
 */
package dev.wgmesh.dataplane.device;
