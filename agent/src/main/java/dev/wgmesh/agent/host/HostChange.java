package dev.wgmesh.agent.host;

import java.util.List;

/**
 * One change to the host and the command that undoes it (used to roll back a failed apply).
 *
 * @param description for logs and errors, e.g. "add address 10.99.0.7/24"
 * @param command the command that makes the change
 * @param undo the command that restores what was there before; empty when the change is kept even on roll-back
 */
public record HostChange(String description, List<String> command, List<String> undo) {
    public HostChange {
        command = List.copyOf(command);
        undo = List.copyOf(undo);
    }
}
