package dev.wgmesh.controller.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A load generator's HTTP/1.1 client: one persistent connection, one request at a time, reused buffers. Not
 * thread-safe: each client thread owns one.
 *
 * <p>Why not {@code java.net.http.HttpClient}: on this 2-core machine the load client shares the CPU with the
 * controller and PostgreSQL, and the JDK client (futures, a selector thread, per-request builders, publishers and
 * header maps) cost 0.8 ms of CPU per created peer, a fifth of the whole budget. Real load generators (wrk, h2load)
 * keep a connection per client and parse responses in place; so does this one. It still sends real requests and
 * reads whole responses: status line, headers, a {@code Content-Length} or chunked body.
 *
 * <p>The server may end a keep-alive connection ({@code Connection: close}, Tomcat does so after 100 requests by
 * default, or an idle timeout): the next request opens a new one. A request that fails on a reused connection before
 * any response byte arrived is sent once more on a fresh connection (the server closed the idle connection without
 * reading it); any other failure is thrown.
 */
final class KeepAliveHttp implements Closeable {
    /** A response: status code and the body as text (UTF-8). */
    record Response(int status, String body) {}

    private static final int TIMEOUT_MILLIS = 30_000;

    private final String host;
    private final int port;
    /** {@code Authorization} header line with CRLF, or empty. */
    private final String authorization;

    private final StringBuilder head = new StringBuilder(256);
    private byte[] out = new byte[4096];
    private final byte[] in = new byte[16 * 1024];
    private int inPos;
    private int inLimit;
    private byte[] body = new byte[16 * 1024];

    private Socket socket;
    private InputStream input;
    private OutputStream output;
    /** Whether a byte of the current response arrived (after that, a failure is never retried). */
    private boolean responseStarted;

    KeepAliveHttp(String baseUrl, String bearerToken) {
        URI u = URI.create(baseUrl);
        this.host = u.getHost();
        this.port = u.getPort();
        this.authorization =
                bearerToken == null || bearerToken.isEmpty() ? "" : "Authorization: Bearer " + bearerToken + "\r\n";
    }

    /** Sends {@code method path} with an optional JSON body; returns the whole response. */
    Response send(String method, String path, String json) throws IOException {
        byte[] payload = json == null ? null : json.getBytes(StandardCharsets.UTF_8);
        while (true) {
            boolean wasReused = open();
            responseStarted = false;
            try {
                write(method, path, payload);
                return read();
            } catch (IOException ex) {
                close();
                if (!wasReused || responseStarted) {
                    throw ex;
                }
            } catch (RuntimeException ex) {
                close();
                throw ex;
            }
        }
    }

    /** Opens a connection when none is open; returns whether an open one is reused. */
    private boolean open() throws IOException {
        if (socket != null) {
            return true;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(TIMEOUT_MILLIS);
        socket = s;
        input = s.getInputStream();
        output = s.getOutputStream();
        inPos = inLimit = 0;
        return false;
    }

    private void write(String method, String path, byte[] payload) throws IOException {
        head.setLength(0);
        head.append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(host)
                .append(':')
                .append(port)
                .append("\r\nAccept: application/json\r\n")
                .append(authorization);
        if (payload != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(payload.length)
                    .append("\r\n");
        }
        head.append("\r\n");
        int headLength = head.length(); // ASCII only: the path and token are URL-safe
        int total = headLength + (payload == null ? 0 : payload.length);
        if (out.length < total) {
            out = new byte[Math.max(total, 2 * out.length)];
        }
        for (int i = 0; i < headLength; i++) {
            out[i] = (byte) head.charAt(i);
        }
        if (payload != null) {
            System.arraycopy(payload, 0, out, headLength, payload.length);
        }
        output.write(out, 0, total); // one write, one segment for small requests
        output.flush();
    }

    private Response read() throws IOException {
        if (!fill()) {
            throw new EOFException("connection closed before the response");
        }
        responseStarted = true;
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("bad status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine, 9, 12, 10);
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            if (headerIs(line, "content-length")) {
                contentLength = Long.parseLong(line.substring(15).strip());
            } else if (headerIs(line, "transfer-encoding")) {
                chunked = line.substring(18).strip().equalsIgnoreCase("chunked");
            } else if (headerIs(line, "connection")) {
                close = line.substring(11).strip().equalsIgnoreCase("close");
            }
        }
        int length;
        if (chunked) {
            length = readChunked();
        } else if (contentLength >= 0) {
            length = (int) contentLength;
            ensureBody(length);
            readFully(body, 0, length);
        } else if (status == 204 || status == 304) {
            length = 0;
        } else {
            throw new IOException("response " + status + " without Content-Length or chunked encoding");
        }
        if (close) {
            close();
        }
        return new Response(status, new String(body, 0, length, StandardCharsets.UTF_8));
    }

    private static boolean headerIs(String line, String name) {
        return line.length() > name.length()
                && line.charAt(name.length()) == ':'
                && line.regionMatches(true, 0, name, 0, name.length());
    }

    /** Reads a chunked body into {@link #body}; returns its length (trailers are skipped). */
    private int readChunked() throws IOException {
        int length = 0;
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt(
                    semicolon < 0
                            ? sizeLine.strip()
                            : sizeLine.substring(0, semicolon).strip(),
                    16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields: none expected, none needed
                }
                return length;
            }
            ensureBody(length + size);
            readFully(body, length, size);
            length += size;
            if (!readLine().isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private void ensureBody(int size) {
        if (body.length < size) {
            byte[] bigger = new byte[Math.max(size, 2 * body.length)];
            System.arraycopy(body, 0, bigger, 0, body.length);
            body = bigger;
        }
    }

    /** A CRLF-terminated line (ASCII: status line, header fields, chunk sizes), without the CRLF. */
    private String readLine() throws IOException {
        StringBuilder line = null;
        while (true) {
            if (inPos == inLimit && !fill()) {
                throw new EOFException("connection closed inside the response head");
            }
            for (int i = inPos; i < inLimit; i++) {
                if (in[i] == '\n') {
                    int end = i > inPos && in[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(in, inPos, end - inPos, StandardCharsets.ISO_8859_1);
                    inPos = i + 1;
                    if (line == null) {
                        return part;
                    }
                    line.append(part);
                    int n = line.length();
                    return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
                }
            }
            if (line == null) {
                line = new StringBuilder();
            }
            line.append(new String(in, inPos, inLimit - inPos, StandardCharsets.ISO_8859_1));
            inPos = inLimit;
        }
    }

    private void readFully(byte[] to, int offset, int length) throws IOException {
        while (length > 0) {
            if (inPos == inLimit && !fill()) {
                throw new EOFException("connection closed inside the response body");
            }
            int n = Math.min(length, inLimit - inPos);
            System.arraycopy(in, inPos, to, offset, n);
            inPos += n;
            offset += n;
            length -= n;
        }
    }

    /** Reads more bytes when the buffer is used up; false at end of stream. */
    private boolean fill() throws IOException {
        if (inPos < inLimit) {
            return true;
        }
        int n = input.read(in, 0, in.length);
        if (n < 0) {
            return false;
        }
        inPos = 0;
        inLimit = n;
        return true;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
            socket = null;
        }
    }
}
