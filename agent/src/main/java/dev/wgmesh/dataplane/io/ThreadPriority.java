package dev.wgmesh.dataplane.io;

/**
 * The calling thread's CPU scheduling priority, as the platform under a {@link TunDevice} can set it: see {@code
 * WakeBoost} in the device package for why a data-plane thread raises it while idle.
 *
 * <p>{@link #raise()} and {@link #lower()} act on the calling thread; {@link #raise(int)} raises another thread of
 * this process, named by what {@link #self()} returned on it.
 */
public interface ThreadPriority {
    /** Changes nothing: memory devices in tests, and platforms without such a priority. */
    ThreadPriority UNCHANGED = new ThreadPriority() {
        @Override
        public boolean raise() {
            return false;
        }

        @Override
        public void lower() {}

        @Override
        public int self() {
            return 0;
        }

        @Override
        public boolean raise(int thread) {
            return false;
        }
    };

    /**
     * Gives the calling thread a priority that preempts ordinary threads as soon as it wakes.
     *
     * @return false if the platform refused (no privilege) or has no such priority; the thread is unchanged
     */
    boolean raise();

    /** Puts the calling thread back to ordinary, time-shared scheduling. */
    void lower();

    /** The calling thread's id for {@link #raise(int)}, or 0 where the platform cannot raise another thread. */
    int self();

    /**
     * Raises {@code thread} (an id from {@link #self()}) as {@link #raise()} would raise it from itself.
     *
     * @return false if refused, or {@code thread} is 0
     */
    boolean raise(int thread);
}
