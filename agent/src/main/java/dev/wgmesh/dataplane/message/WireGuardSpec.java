package dev.wgmesh.dataplane.message;

import java.nio.charset.StandardCharsets;

/**
 * Values fixed by the WireGuard protocol (whitepaper §5.4 and §6.1); changing any of them breaks interoperability
 * with kernel WireGuard and wireguard-go. Our own tunables live in {@link Limits}.
 */
public final class WireGuardSpec {
    private WireGuardSpec() {}

    // §5.4: protocol names and labels.
    public static final byte[] CONSTRUCTION =
            "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

    // §5.4: message types (first byte; the next three are reserved zero bytes).
    public static final int TYPE_INITIATION = 1;
    public static final int TYPE_RESPONSE = 2;
    public static final int TYPE_COOKIE_REPLY = 3;
    public static final int TYPE_TRANSPORT = 4;

    // §5.4.2-§5.4.7: message sizes.
    public static final int INITIATION_SIZE = 148;
    public static final int RESPONSE_SIZE = 92;
    public static final int COOKIE_REPLY_SIZE = 64;
    public static final int TRANSPORT_HEADER_SIZE = 16;
    public static final int AEAD_TAG_SIZE = 16;
    /** An empty transport message (keepalive): header + tag. */
    public static final int KEEPALIVE_SIZE = TRANSPORT_HEADER_SIZE + AEAD_TAG_SIZE;
    /** §5.4.6: plaintext is zero-padded to a multiple of 16 bytes. */
    public static final int PADDING_MULTIPLE = 16;

    // §6.1: limits on messages per keypair (counters are unsigned 64-bit; compare with Long.compareUnsigned).
    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 − 2^13 − 1, as an unsigned long. */
    public static final long REJECT_AFTER_MESSAGES = 0xFFFF_FFFF_FFFF_DFFFL;

    // §6.1: timer constants, in nanoseconds.
    public static final long REKEY_AFTER_TIME_NANOS = 120_000_000_000L;
    public static final long REJECT_AFTER_TIME_NANOS = 180_000_000_000L;
    public static final long REKEY_ATTEMPT_TIME_NANOS = 90_000_000_000L;
    public static final long REKEY_TIMEOUT_NANOS = 5_000_000_000L;
    public static final long KEEPALIVE_TIMEOUT_NANOS = 10_000_000_000L;
    /** Up to a third of a second of random jitter added to each handshake retransmission (§6.4). */
    public static final long REKEY_TIMEOUT_JITTER_MAX_NANOS = 334_000_000L;
    /** Cookie secret lifetime and the initiator's cookie lifetime (§5.4.7, §6.6). */
    public static final long COOKIE_REFRESH_TIME_NANOS = 120_000_000_000L;
    /** Minimum spacing of accepted initiations from one peer (flood protection, §5.1; wireguard-go 1 s / 50). */
    public static final long HANDSHAKE_INITIATION_RATE_NANOS = 20_000_000L;
    /** Retransmissions before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
    public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME_NANOS / REKEY_TIMEOUT_NANOS);
}
