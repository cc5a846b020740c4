package dev.wgmesh.dataplane.io;

import java.util.List;

/**
 * Several UDP sockets on one port (Linux {@code SO_REUSEPORT}): the kernel spreads peers' flows over them, one
 * receiver per socket. As a {@link UdpTransport} it binds (and rebinds) all of them to the same port, and receives
 * and sends on the first.
 */
public interface MultiSocketUdp extends UdpTransport {

    /** The sockets, each a transport for one receiver and any senders. */
    List<? extends UdpTransport> sockets();
}
