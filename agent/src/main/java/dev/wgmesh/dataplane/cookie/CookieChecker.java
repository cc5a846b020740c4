package dev.wgmesh.dataplane.cookie;

import dev.wgmesh.dataplane.crypto.Blake2s;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.XChaChaPoly;
import dev.wgmesh.dataplane.message.CookieReplyMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.util.function.LongSupplier;

/**
 * The sending side of the cookie mechanism for one peer (whitepaper §5.4.4, §5.4.7; wireguard-go calls it
 * {@code CookieGenerator}): stamps mac1 (and mac2 while we hold a fresh cookie) on the handshake messages we send
 * to the peer, and accepts the peer's cookie replies.
 *
 * <p>A cookie reply is only accepted for the last message we sent (its mac1 is the AEAD's associated data), and a
 * cookie is used for {@link WireGuardSpec#COOKIE_REFRESH_TIME_NANOS} after it arrived.
 *
 * <p>Threading: thread-safe (locks itself).
 */
public final class CookieChecker {
    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final LongSupplier nanoClock;

    // guarded by this
    private final byte[] lastMac1 = new byte[Macs.LEN];
    private boolean lastMac1Valid;
    private final byte[] cookie = new byte[Macs.LEN];
    private boolean hasCookie;
    private long cookieSetNanos;

    /**
     * @param peerPublicKey the static public key of the peer our messages go to
     * @param nanoClock monotonic time in nanoseconds
     */
    public CookieChecker(byte[] peerPublicKey, LongSupplier nanoClock) {
        this.mac1Key = Macs.labelKey(WireGuardSpec.LABEL_MAC1, peerPublicKey);
        this.encryptionKey = Macs.labelKey(WireGuardSpec.LABEL_COOKIE, peerPublicKey);
        this.nanoClock = nanoClock;
    }

    /** Writes mac1 and mac2 into the handshake message of {@code size} bytes (148 or 92) at {@code msg[off..)}. */
    public synchronized void addMacs(byte[] msg, int off, int size) {
        int mac1 = Macs.mac1Offset(size);
        int mac2 = Macs.mac2Offset(size);
        Blake2s.mac(mac1Key, msg, off, mac1, msg, off + mac1);
        System.arraycopy(msg, off + mac1, lastMac1, 0, Macs.LEN);
        lastMac1Valid = true;
        if (hasCookie && nanoClock.getAsLong() - cookieSetNanos < WireGuardSpec.COOKIE_REFRESH_TIME_NANOS) {
            Blake2s.mac(cookie, msg, off, mac2, msg, off + mac2);
        } else {
            java.util.Arrays.fill(msg, off + mac2, off + mac2 + Macs.LEN, (byte) 0);
        }
    }

    /**
     * Decrypts and stores the cookie in the reply at {@code msg[off..off+64)}; the caller matched its receiver
     * index to a handshake message we sent to this peer.
     *
     * @return true when the reply authenticated
     */
    public synchronized boolean consumeReply(byte[] msg, int off) {
        if (!lastMac1Valid) {
            return false;
        }
        byte[] plain = new byte[Macs.LEN];
        int n = XChaChaPoly.open(
                encryptionKey,
                msg,
                off + CookieReplyMessage.NONCE,
                lastMac1,
                msg,
                off + CookieReplyMessage.COOKIE,
                CookieReplyMessage.COOKIE_LEN,
                plain,
                0);
        if (n != Macs.LEN) {
            return false;
        }
        System.arraycopy(plain, 0, cookie, 0, Macs.LEN);
        Keys.wipe(plain);
        hasCookie = true;
        cookieSetNanos = nanoClock.getAsLong();
        lastMac1Valid = false; // one reply per message we sent
        return true;
    }

    /** True while a cookie from the peer is fresh enough to be used for mac2. */
    public synchronized boolean hasFreshCookie() {
        return hasCookie && nanoClock.getAsLong() - cookieSetNanos < WireGuardSpec.COOKIE_REFRESH_TIME_NANOS;
    }
}
