/**
 * Segmentation and coalescing offloads between the TUN device and the tunnel, on plain heap arrays so they are
 * testable without a kernel: {@link dev.wgmesh.dataplane.offload.TcpSegmenter} splits the TCP super-packets a TUN
 * with {@code IFF_VNET_HDR} and TSO hands us into MTU-sized segments (TSO in software, kernel
 * {@code tcp_gso_segment}), {@link dev.wgmesh.dataplane.offload.TcpCoalescer} merges decrypted segments of one flow
 * into a super-packet for the kernel to take in one write (GRO in software), {@link
 * dev.wgmesh.dataplane.offload.VirtioNetHdr} is the 10-byte header that carries the metadata and {@link
 * dev.wgmesh.dataplane.offload.Checksum} the Internet checksum (RFC 1071) both need.
 */
package dev.wgmesh.dataplane.offload;
