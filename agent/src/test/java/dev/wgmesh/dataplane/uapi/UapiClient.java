package dev.wgmesh.dataplane.uapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal UAPI client for tests: sends raw text and reads replies up to the {@code errno=N} + empty line. */
final class UapiClient implements AutoCloseable {
    private final SocketChannel ch;
    private final InputStream in;
    private final OutputStream out;

    UapiClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        in = new java.io.BufferedInputStream(Channels.newInputStream(ch));
        out = Channels.newOutputStream(ch);
    }

    void send(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one reply up to and including its {@code errno=N} line (the empty line after it is consumed); null on EOF. */
    String reply() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            String line = readLine();
            if (line == null) {
                return sb.isEmpty() ? null : sb.toString();
            }
            sb.append(line).append('\n');
            if (line.startsWith("errno=")) {
                String empty = readLine();
                if (empty == null || !empty.isEmpty()) {
                    throw new IOException("errno line not followed by an empty line");
                }
                return sb.toString();
            }
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            if (c == '\n') {
                return line.toString();
            }
            line.append((char) c);
        }
    }

    String request(String raw) throws IOException {
        send(raw);
        return reply();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
