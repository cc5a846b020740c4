package dev.wgmesh.agent.host;

import java.util.List;

/**
 * Runs one external program (here: {@code ip}, {@code sysctl}) and returns its standard output. The seam that lets
 * {@link HostNetwork} be tested with a fake, and that lets the real runner prefix {@code ip netns exec NS} so tests
 * work inside a throwaway network namespace.
 *
 * <p>Contract: a non-zero exit status, a timeout or a failure to start is a {@link CommandException} whose message
 * carries the command line and the program's standard error.
 */
public interface Command {
    String run(List<String> argv) throws CommandException;
}
