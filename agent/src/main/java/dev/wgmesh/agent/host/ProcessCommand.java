package dev.wgmesh.agent.host;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Command} on real processes: {@link ProcessBuilder}, a bounded run time (the process is killed when it
 * overruns), standard error captured for the exception, standard input from {@code /dev/null}, {@code LC_ALL=C} so
 * messages are stable. Output beyond {@value #MAX_OUTPUT} bytes is cut off (a runaway program cannot exhaust memory).
 *
 * <p>{@link #inNamespace(String, Duration)} runs every command through {@code ip netns exec NS}, which is how the
 * root tests configure an interface in a throwaway network namespace without touching the host's.
 */
public final class ProcessCommand implements Command {
    static final int MAX_OUTPUT = 4 << 20;

    private final List<String> prefix;
    private final Duration timeout;

    private ProcessCommand(List<String> prefix, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("command timeout must be positive");
        }
        this.prefix = List.copyOf(prefix);
        this.timeout = timeout;
    }

    /** Commands run in the agent's own network namespace. */
    public static ProcessCommand onHost(Duration timeout) {
        return new ProcessCommand(List.of(), timeout);
    }

    /** Commands run inside the named network namespace ({@code ip netns exec NS ...}). */
    public static ProcessCommand inNamespace(String namespace, Duration timeout) {
        if (!namespace.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("invalid network namespace name");
        }
        return new ProcessCommand(List.of("ip", "netns", "exec", namespace), timeout);
    }

    @Override
    public String run(List<String> argv) throws CommandException {
        List<String> full = new ArrayList<>(prefix.size() + argv.size());
        full.addAll(prefix);
        full.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            throw new CommandException(argv, -1, "could not start: " + ex.getMessage());
        }
        // Both pipes are drained concurrently so a chatty program cannot block on a full stderr pipe.
        Drain out = Drain.start(p.getInputStream());
        Drain err = Drain.start(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CommandException(argv, -1, "timed out after " + timeout.toMillis() + " ms");
            }
            String stdout = out.text();
            String stderr = err.text();
            if (p.exitValue() != 0) {
                throw new CommandException(argv, p.exitValue(), stderr);
            }
            return stdout;
        } catch (InterruptedException ex) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandException(argv, -1, "interrupted");
        }
    }

    /** Reads one stream to its end on a virtual thread, keeping at most {@link #MAX_OUTPUT} bytes. */
    private static final class Drain implements Runnable {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            this.in = in;
            this.thread = Thread.ofVirtual().name("command-output").unstarted(this);
        }

        static Drain start(InputStream in) {
            Drain d = new Drain(in);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(chunk)) >= 0) {
                    if (buf.size() + n <= MAX_OUTPUT) {
                        buf.write(chunk, 0, n);
                    }
                }
            } catch (IOException ex) {
                // The process was killed or closed its end; keep what was read.
            }
        }

        String text() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            return buf.toString(StandardCharsets.UTF_8); // ByteArrayOutputStream is synchronized
        }
    }
}
