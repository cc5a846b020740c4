package dev.wgmesh.dataplane.session;

import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.util.Arrays;

/**
 * The receive-side anti-replay window of RFC 6479 with 8192 bits in 128 blocks of 64 (whitepaper §5.4.6 refers
 * to it; Linux and wireguard-go use this size). Because a whole block is cleared when the window slides into it,
 * the usable window is {@link #WINDOW_SIZE} = 8192 − 64 counters behind the highest one seen.
 *
 * <pre>
 *   ring: [ block 0 | block 1 | ... | block 127 ]   block = 64 bits, counter c lives at
 *          ring[(c >>> 6) & 127], bit (c & 63)
 *   last: highest counter accepted so far
 * </pre>
 *
 * <p>Contract: call {@link #accept} only after the packet authenticated (decryption succeeded), otherwise a forged
 * counter would slide the window and make genuine packets look old.
 *
 * <p>Threading: not thread-safe, by design. As in wireguard-go ({@code RoutineSequentialReceiver}), the check runs
 * in the per-peer sequential receive stage, after the parallel decryption, so exactly one thread at a time calls
 * {@link #accept} for a given keypair; that stage must publish its effects to the next thread that takes over
 * (a queue hand-off or lock suffices). {@link #reset} is for a filter not yet in use.
 */
public final class ReplayFilter {
    private static final int BLOCK_BITS_LOG = 6;
    private static final int BLOCK_BITS = 1 << BLOCK_BITS_LOG;
    /** Bits in the ring: 8192, as Linux ({@code COUNTER_BITS_TOTAL}) and wireguard-go. */
    private static final int RING_BITS = 8192;

    private static final int RING_BLOCKS = RING_BITS / BLOCK_BITS;
    private static final int BLOCK_MASK = RING_BLOCKS - 1;
    private static final int BIT_MASK = BLOCK_BITS - 1;

    /** How far behind the highest accepted counter a counter may be and still be accepted once. */
    public static final long WINDOW_SIZE = (long) (RING_BLOCKS - 1) * BLOCK_BITS;

    private final long[] ring = new long[RING_BLOCKS];
    private long last;

    /**
     * Checks {@code counter} (an unsigned 64-bit value) and records it.
     *
     * @return true the first time a counter inside the window is seen; false for a duplicate, a counter more than
     *     {@link #WINDOW_SIZE} behind the highest seen, or one at or above {@link WireGuardSpec#REJECT_AFTER_MESSAGES}
     */
    public boolean accept(long counter) {
        if (Long.compareUnsigned(counter, WireGuardSpec.REJECT_AFTER_MESSAGES) >= 0) {
            return false;
        }
        long block = counter >>> BLOCK_BITS_LOG;
        if (Long.compareUnsigned(counter, last) > 0) {
            // Slide forward: clear every block between the old head block and the new one (at most the whole ring).
            long current = last >>> BLOCK_BITS_LOG;
            long diff = Math.min(block - current, RING_BLOCKS);
            for (long i = 1; i <= diff; i++) {
                ring[(int) ((current + i) & BLOCK_MASK)] = 0;
            }
            last = counter;
        } else if (Long.compareUnsigned(last - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int index = (int) (block & BLOCK_MASK);
        long bit = 1L << (counter & BIT_MASK);
        long old = ring[index];
        ring[index] = old | bit;
        return (old & bit) == 0;
    }

    /** Forgets every counter seen (for a filter being reused for a fresh key). */
    public void reset() {
        last = 0;
        Arrays.fill(ring, 0);
    }
}
