package dev.wgmesh.dataplane.netlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A thread's scheduling policy as /proc shows it: 0 SCHED_OTHER, 1 SCHED_FIFO. */
public final class ThreadPolicy {
    private ThreadPolicy() {}

    /** Field 41 of {@code TASK/stat}, for a task directory such as {@code /proc/thread-self} or {@code /proc/P/task/T}. */
    public static int of(Path task) throws IOException {
        String stat = Files.readString(task.resolve("stat"));
        String[] afterComm = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // starts at field 3
        return Integer.parseInt(afterComm[41 - 3]);
    }
}
