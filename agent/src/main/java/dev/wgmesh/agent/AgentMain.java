package dev.wgmesh.agent;

import java.io.PrintStream;
import java.util.List;

/**
 * Command-line entry of the agent ({@code bin/wgmesh-agent}).
 *
 * <p>Exit codes: 0 success, 1 the operation failed (controller unreachable...), 2 bad command line.
 */
public final class AgentMain {
    public static final String VERSION = "0.1.0";

    private AgentMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println("usage: wgmesh-agent --version\n"
                    + "       wgmesh-agent ping --controller HOST:PORT [--state-dir DIR | --ca-fingerprint sha256:HEX\n"
                    + "                         | --enrol-key JOIN_TOKEN]   (TLS; trusts the pinned or enrolled CA)\n"
                    + "       wgmesh-agent run --controller HOST:PORT [--enrol-key JOIN_TOKEN] [--interface NAME]\n"
                    + "                        [--state-dir DIR] [--config FILE] [--stats-interval 10s]\n"
                    + "                        [--metrics-listen IP:PORT] [--listen-port 51820] [--probe-port 51821]\n"
                    + "                        [--ca-fingerprint sha256:HEX]");
            return args.length == 0 ? 2 : 0;
        }
        return switch (args[0]) {
            case "--version" -> {
                out.println("wgmesh-agent " + VERSION);
                yield 0;
            }
            case "ping" -> PingCommand.run(List.of(args).subList(1, args.length), out, err);
            case "run" -> runAgent(args, err);
            default -> {
                err.println("wgmesh-agent: unknown command '" + args[0] + "' (try --help)");
                yield 2;
            }
        };
    }

    private static int runAgent(String[] args, PrintStream err) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(java.util.List.of(args).subList(1, args.length));
            // A JVM option the data plane reads when it starts: a typo should stop the agent here, with this message.
            dev.wgmesh.dataplane.crypto.ChaChaPoly.parseEngine(
                    System.getProperty(dev.wgmesh.dataplane.crypto.ChaChaPoly.ENGINE_PROPERTY));
        } catch (IllegalArgumentException ex) {
            err.println("wgmesh-agent: " + ex.getMessage());
            return 2;
        } catch (java.io.IOException ex) {
            err.println("wgmesh-agent: cannot read the config file: " + ex.getMessage());
            return 2;
        }
        AgentRunner runner = new AgentRunner(options);
        Thread hook = new Thread(runner::close, "wgmesh-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runner.run();
        } catch (java.io.IOException ex) {
            err.println("wgmesh-agent: " + ex.getMessage());
            return 1;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            runner.close();
        }
    }
}
