package dev.wgmesh.dataplane.io;

/**
 * The calling thread's CPU scheduling priority, as the platform under a {@link TunDevice} can set it: see {@code
 * WakeBoost} in the device package for why a data-plane thread raises it while idle.
 *
 * <p>Both methods act on the calling thread only and are called from it.
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
    };

    /**
     * Gives the calling thread a priority that preempts ordinary threads as soon as it wakes.
     *
     * @return false if the platform refused (no privilege) or has no such priority; the thread is unchanged
     */
    boolean raise();

    /** Puts the calling thread back to ordinary, time-shared scheduling. */
    void lower();
}
