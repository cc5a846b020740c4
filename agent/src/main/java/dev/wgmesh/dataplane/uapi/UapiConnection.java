package dev.wgmesh.dataplane.uapi;

import dev.wgmesh.dataplane.config.ConfigException;
import dev.wgmesh.dataplane.config.DeviceConfigurator;
import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One UAPI client connection; it may carry several operations in a row, each answered with {@code errno=N} and an
 * empty line:
 *
 * <pre>
 *   get=1\n \n                 → config lines, errno=0\n \n
 *   set=1\n key=value\n ... \n → errno=0\n \n   or  errno=-22\n \n (nothing changed)
 *   anything else              → the connection is closed (as wireguard-go does)
 * </pre>
 *
 * <p>The errno is written negated, exactly as wireguard-go does ({@code IpcErrorInvalid = -EINVAL}): wg(8) sets
 * {@code errno = -ret} from it and so prints the right message ("Invalid argument").
 *
 * <p>A set transaction is always read to its terminating empty line before it is answered, so after an error the
 * connection stays in step for the next operation. Lines longer than {@link #MAX_LINE} bytes are a protocol error.
 */
final class UapiConnection {
    private static final Logger LOG = Logger.getLogger(UapiConnection.class.getName());

    /** Longest accepted line: a key name plus the longest value (an IPv6 endpoint or prefix) fits many times over. */
    static final int MAX_LINE = 4096;

    private final DeviceConfigurator device;
    private final InputStream in;
    private final Writer out;

    UapiConnection(DeviceConfigurator device, InputStream in, OutputStream out) {
        this.device = device;
        this.in = new BufferedInputStream(in, 16384);
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.US_ASCII), 65536);
    }

    /** Serves operations until the client closes or sends something that is not an operation. */
    void serve() throws IOException {
        while (true) {
            String op;
            try {
                op = readLine();
            } catch (LineTooLong e) {
                return;
            }
            if (op == null) {
                return;
            }
            switch (op) {
                case "get=1" -> get();
                case "set=1" -> set();
                default -> {
                    LOG.fine("UAPI: invalid operation, closing connection");
                    return;
                }
            }
            out.flush();
        }
    }

    private void get() throws IOException {
        int next = in.read();
        if (next < 0) {
            return;
        }
        if (next != '\n') {
            status(ConfigException.EINVAL);
            return;
        }
        UapiGetWriter.write(device.snapshot(), out);
        status(0);
    }

    private void set() throws IOException {
        UapiSetParser parser = new UapiSetParser();
        ConfigException failure = null;
        while (true) {
            String line;
            try {
                line = readLine();
            } catch (LineTooLong e) {
                failure = new ConfigException(ConfigException.EPROTO, "UAPI line too long");
                skipRestOfLine();
                continue;
            }
            if (line == null) {
                return; // client went away mid-transaction: nothing is applied, nobody to answer
            }
            if (line.isEmpty()) {
                break;
            }
            if (failure == null) {
                try {
                    parser.line(line);
                } catch (ConfigException e) {
                    failure = e;
                }
            }
        }
        if (failure == null) {
            try {
                device.apply(parser.finish());
            } catch (ConfigException e) {
                failure = e;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "UAPI: unexpected failure applying a change", e);
                failure = new ConfigException(ConfigException.EIO, "internal error");
            }
        }
        if (failure != null) {
            LOG.log(Level.INFO, "UAPI: set refused (errno {0}): {1}", new Object[] {
                failure.errno(), failure.getMessage()
            });
            status(failure.errno());
        } else {
            status(0);
        }
    }

    private void status(int errno) throws IOException {
        out.write("errno=" + (errno == 0 ? 0 : -errno) + "\n\n");
    }

    private static final class LineTooLong extends IOException {
        LineTooLong() {
            super("line too long");
        }
    }

    private final byte[] lineBuf = new byte[MAX_LINE];

    /** Reads one line without its newline; null at end of stream (a partial last line is dropped). */
    private String readLine() throws IOException {
        int n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == '\n') {
                return new String(lineBuf, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (n == MAX_LINE) {
                throw new LineTooLong();
            }
            lineBuf[n++] = (byte) c;
        }
    }

    private void skipRestOfLine() throws IOException {
        int c;
        do {
            c = in.read();
        } while (c >= 0 && c != '\n');
    }
}
