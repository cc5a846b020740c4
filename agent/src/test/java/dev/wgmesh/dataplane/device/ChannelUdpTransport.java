package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.UdpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * A plain JDK {@link DatagramChannel} as a {@link UdpTransport}, bound to one local address, for interop tests
 * against real WireGuard implementations (the production transport is the FFM socket of the io package). It
 * allocates per datagram; tests only.
 */
final class ChannelUdpTransport implements UdpTransport {
    private final InetAddress local;
    private volatile DatagramChannel channel;

    ChannelUdpTransport(InetAddress local) {
        this.local = local;
    }

    @Override
    public synchronized int bind(int port) throws IOException {
        DatagramChannel fresh = DatagramChannel.open();
        fresh.bind(new InetSocketAddress(local, port));
        DatagramChannel old = channel;
        channel = fresh;
        if (old != null) {
            old.close();
        }
        return localPort();
    }

    @Override
    public int localPort() {
        DatagramChannel c = channel;
        try {
            return c == null ? 0 : ((InetSocketAddress) c.getLocalAddress()).getPort();
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public void setFwmark(int mark) {}

    @Override
    public int receive(byte[] buf, int off, int len, Endpoint from) throws IOException {
        while (true) {
            DatagramChannel c = channel;
            if (c == null) {
                return -1;
            }
            ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
            InetSocketAddress src;
            try {
                src = (InetSocketAddress) c.receive(bb);
            } catch (ClosedChannelException e) {
                if (channel == c) {
                    return -1;
                }
                continue; // rebound
            }
            from.setAddress(src.getAddress().getAddress(), src.getPort());
            from.clearSource();
            return bb.position() - off;
        }
    }

    @Override
    public void send(byte[] buf, int off, int len, Endpoint to) throws IOException {
        DatagramChannel c = channel;
        if (c == null) {
            throw new IOException("not bound");
        }
        c.send(ByteBuffer.wrap(buf, off, len), to.toSocketAddress());
    }

    @Override
    public void close() throws IOException {
        DatagramChannel c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
    }
}
