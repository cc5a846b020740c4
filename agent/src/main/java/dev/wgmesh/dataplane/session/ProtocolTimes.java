package dev.wgmesh.dataplane.session;

import java.util.concurrent.TimeUnit;

/**
 * The timers and limits of the WireGuard whitepaper, §6.1 "Preliminaries" table, as wireguard-go's
 * {@code constants.go} and Linux's {@code messages.h} define them. Spec values only: our own implementation limits
 * (queue depths, pool sizes) live with the classes they bound.
 *
 * <p>Message counters are unsigned 64-bit values held in Java {@code long}s: compare them with
 * {@link Long#compareUnsigned}, since {@link #REJECT_AFTER_MESSAGES} is negative as a signed long.
 */
public final class ProtocolTimes {
    /** A key may encrypt this many messages before the initiator starts a new handshake (2^60). */
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;

    /**
     * Hard limit on messages per key: 2^64 − 2^13 − 1, leaving room for the 8192-bit replay window (unsigned).
     */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;

    /** The initiator of the current session rekeys after sending with a key this old. */
    public static final long REKEY_AFTER_TIME_NANOS = TimeUnit.SECONDS.toNanos(120);

    /** A key is never used past this age. */
    public static final long REJECT_AFTER_TIME_NANOS = TimeUnit.SECONDS.toNanos(180);

    /** Handshake retransmissions stop after this long (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT = 18 tries). */
    public static final long REKEY_ATTEMPT_TIME_NANOS = TimeUnit.SECONDS.toNanos(90);

    /** Wait for a handshake response this long before retrying; also the minimum gap between initiations. */
    public static final long REKEY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** Up to this much random jitter is added to each REKEY_TIMEOUT wait (wireguard-go: 334 ms, exclusive). */
    public static final long REKEY_TIMEOUT_JITTER_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(334);

    /** Send an empty keepalive this long after receiving data if we sent nothing back. */
    public static final long KEEPALIVE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Attempts before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT, as wireguard-go's MaxTimerHandshakes. */
    public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME_NANOS / REKEY_TIMEOUT_NANOS);

    /** All key material is erased this long after the last session was derived (3 × REJECT_AFTER_TIME). */
    public static final long ZERO_KEY_MATERIAL_AFTER_NANOS = 3 * REJECT_AFTER_TIME_NANOS;

    /**
     * The initiator starts a "last minute" handshake when it receives data on a key this old
     * (REJECT_AFTER_TIME − KEEPALIVE_TIMEOUT − REKEY_TIMEOUT = 165 s), so a new key is ready before the old one dies.
     */
    public static final long REKEY_ON_RECEIVE_AGE_NANOS =
            REJECT_AFTER_TIME_NANOS - KEEPALIVE_TIMEOUT_NANOS - REKEY_TIMEOUT_NANOS;

    /** The responder's cookie secret Rm is replaced this often (whitepaper §5.4.7). */
    public static final long COOKIE_REFRESH_TIME_NANOS = TimeUnit.SECONDS.toNanos(120);

    /** Replay window of RFC 6479 as Linux and wireguard-go size it: 8192 bits of which 8192 − 64 are usable. */
    public static final int REPLAY_WINDOW_BITS = 8192;

    private ProtocolTimes() {}
}
