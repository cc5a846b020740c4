package dev.wgmesh.dataplane.linux;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.MultiSocketUdp;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code count} {@link LinuxUdp} sockets with SO_REUSEPORT on one port, for the per-flow data path: the kernel
 * hashes each peer's 4-tuple to one socket, so a peer's datagrams reach one receiver. Binding binds the first socket
 * (which picks the port when asked for 0), then the others to the same port; a failure at the first (port in use)
 * leaves every socket as it was.
 */
public final class LinuxUdpGroup implements MultiSocketUdp {
    private final List<LinuxUdp> sockets;
    private final Object bindLock = new Object(); // serializes bind/setFwmark/close

    public LinuxUdpGroup(LinuxUdp.Options options, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        List<LinuxUdp> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(new LinuxUdp(options.withReusePort(true)));
        }
        this.sockets = List.copyOf(list);
    }

    @Override
    public List<LinuxUdp> sockets() {
        return sockets;
    }

    @Override
    public int bind(int port) throws IOException {
        synchronized (bindLock) {
            int bound = sockets.get(0).bind(port);
            for (int i = 1; i < sockets.size(); i++) {
                sockets.get(i).bind(bound);
            }
            return bound;
        }
    }

    @Override
    public int localPort() {
        return sockets.get(0).localPort();
    }

    @Override
    public void setFwmark(int mark) throws IOException {
        synchronized (bindLock) {
            for (LinuxUdp s : sockets) {
                s.setFwmark(mark);
            }
        }
    }

    @Override
    public int receive(byte[] buf, int off, int len, Endpoint from) throws IOException {
        return sockets.get(0).receive(buf, off, len, from);
    }

    @Override
    public int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        return sockets.get(0).receiveBatch(bufs, from, count);
    }

    @Override
    public void send(byte[] buf, int off, int len, Endpoint to) throws IOException {
        sockets.get(0).send(buf, off, len, to);
    }

    @Override
    public int sendBatch(PacketBuffer[] bufs, Endpoint[] to, int count) {
        return sockets.get(0).sendBatch(bufs, to, count);
    }

    @Override
    public void close() {
        synchronized (bindLock) {
            for (LinuxUdp s : sockets) {
                s.close();
            }
        }
    }
}
