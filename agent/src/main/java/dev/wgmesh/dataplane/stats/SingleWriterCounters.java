package dev.wgmesh.dataplane.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A fixed array of counters with one writer thread and any number of readers.
 *
 * <p>The writer increments with a plain read and an opaque write (no lock, no CAS, no allocation), so leaving the
 * counters on costs about as much as a field increment. Readers use opaque reads: each value is never torn and is
 * eventually up to date, which is all a statistics snapshot needs.
 */
public final class SingleWriterCounters {
    private static final VarHandle AA = MethodHandles.arrayElementVarHandle(long[].class);
    private final long[] values;

    public SingleWriterCounters(int size) {
        this.values = new long[size];
    }

    /** Writer thread only. */
    public void add(int index, long delta) {
        AA.setOpaque(values, index, values[index] + delta);
    }

    /** Writer thread only: for gauges such as queue depth. */
    public void set(int index, long value) {
        AA.setOpaque(values, index, value);
    }

    /** Any thread. */
    public long get(int index) {
        return (long) AA.getOpaque(values, index);
    }

    public int size() {
        return values.length;
    }
}
