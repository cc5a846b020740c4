package dev.wgmesh.dataplane.device;

import dev.wgmesh.dataplane.buffer.PacketBuffer;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.io.UdpTransport;
import java.io.IOException;

/** A {@link UdpTransport} that hands every call to another: tests override the calls whose behaviour they shape. */
class ForwardingUdp implements UdpTransport {
    final UdpTransport wire;

    ForwardingUdp(UdpTransport wire) {
        this.wire = wire;
    }

    @Override
    public int bind(int port) throws IOException {
        return wire.bind(port);
    }

    @Override
    public int localPort() {
        return wire.localPort();
    }

    @Override
    public void setFwmark(int mark) throws IOException {
        wire.setFwmark(mark);
    }

    @Override
    public int receive(byte[] buf, int off, int len, Endpoint from) throws IOException {
        return wire.receive(buf, off, len, from);
    }

    @Override
    public int receiveBatch(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        return wire.receiveBatch(bufs, from, count);
    }

    @Override
    public int receiveBatchNow(PacketBuffer[] bufs, Endpoint[] from, int count) throws IOException {
        return wire.receiveBatchNow(bufs, from, count);
    }

    @Override
    public void send(byte[] buf, int off, int len, Endpoint to) throws IOException {
        wire.send(buf, off, len, to);
    }

    @Override
    public int sendBatch(PacketBuffer[] bufs, Endpoint[] to, int count) {
        return wire.sendBatch(bufs, to, count);
    }

    @Override
    public void close() throws IOException {
        wire.close();
    }
}
