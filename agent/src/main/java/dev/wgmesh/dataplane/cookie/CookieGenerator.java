package dev.wgmesh.dataplane.cookie;

import dev.wgmesh.dataplane.crypto.Blake2s;
import dev.wgmesh.dataplane.crypto.ConstantTime;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.XChaChaPoly;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.CookieReplyMessage;
import dev.wgmesh.dataplane.message.LittleEndian;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The responder side of the cookie mechanism (whitepaper §5.4.4, §5.4.7; wireguard-go calls it
 * {@code CookieChecker}): checks mac1 and mac2 of incoming handshake messages and, under load, writes cookie replies.
 *
 * <pre>
 *   R_m    = random 32 bytes, replaced every COOKIE_REFRESH_TIME (120 s)
 *   cookie = MAC(R_m, source IP ‖ source port)                      (port big-endian)
 *   reply  = XAEAD(HASH("cookie--" ‖ S_pub_ours), nonce, cookie, AD = mac1 of the triggering message)
 * </pre>
 *
 * <p>Threading: thread-safe (locks itself); called by the handshake worker, not by the data path.
 */
public final class CookieGenerator {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] mac1Key;
    private final byte[] encryptionKey;
    private final LongSupplier nanoClock;

    // guarded by this
    private final byte[] secret = new byte[32];
    private long secretSetNanos;
    private boolean secretSet;
    private final byte[] scratch = new byte[18];

    /**
     * @param ourPublicKey the static public key of this device (the receiver of the messages checked)
     * @param nanoClock monotonic time in nanoseconds
     */
    public CookieGenerator(byte[] ourPublicKey, LongSupplier nanoClock) {
        this.mac1Key = Macs.labelKey(WireGuardSpec.LABEL_MAC1, ourPublicKey);
        this.encryptionKey = Macs.labelKey(WireGuardSpec.LABEL_COOKIE, ourPublicKey);
        this.nanoClock = nanoClock;
    }

    /** True when the message of {@code size} bytes at {@code msg[off..)} carries a valid mac1 for us. */
    public boolean isMac1Valid(byte[] msg, int off, int size) {
        int mac1 = Macs.mac1Offset(size);
        byte[] expected = new byte[Macs.LEN];
        Blake2s.mac(mac1Key, msg, off, mac1, expected, 0);
        return ConstantTime.equals(expected, 0, msg, off + mac1, Macs.LEN);
    }

    /** True when mac2 is the MAC under the cookie we would give {@code source} now (§5.4.4). */
    public synchronized boolean isMac2Valid(byte[] msg, int off, int size, Endpoint source) {
        if (!secretSet || nanoClock.getAsLong() - secretSetNanos > WireGuardSpec.COOKIE_REFRESH_TIME_NANOS) {
            return false; // the cookie the sender holds was made with an expired secret
        }
        byte[] cookie = cookieFor(source);
        int mac2 = Macs.mac2Offset(size);
        byte[] expected = new byte[Macs.LEN];
        Blake2s.mac(cookie, msg, off, mac2, expected, 0);
        return ConstantTime.equals(expected, 0, msg, off + mac2, Macs.LEN);
    }

    /**
     * Writes a 64-byte cookie reply to {@code out[outOff..)} answering the handshake message at {@code msg[off..)}
     * (its sender index becomes the reply's receiver; its mac1 the AD).
     */
    public synchronized void writeReply(byte[] msg, int off, int size, Endpoint source, byte[] out, int outOff) {
        long now = nanoClock.getAsLong();
        if (!secretSet || now - secretSetNanos > WireGuardSpec.COOKIE_REFRESH_TIME_NANOS) {
            RANDOM.nextBytes(secret);
            secretSetNanos = now;
            secretSet = true;
        }
        byte[] cookie = cookieFor(source);
        int sender = LittleEndian.getInt(msg, off + 4); // sender index: offset 4 in both initiation and response
        CookieReplyMessage.writeHeader(out, outOff, sender);
        byte[] nonce = new byte[CookieReplyMessage.NONCE_LEN];
        RANDOM.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, outOff + CookieReplyMessage.NONCE, nonce.length);
        int mac1 = Macs.mac1Offset(size);
        byte[] ad = Arrays.copyOfRange(msg, off + mac1, off + mac1 + Macs.LEN);
        XChaChaPoly.seal(encryptionKey, nonce, 0, ad, cookie, out, outOff + CookieReplyMessage.COOKIE);
        Keys.wipe(cookie);
    }

    private byte[] cookieFor(Endpoint source) {
        int n = source.writeAddressAndPort(scratch, 0);
        byte[] cookie = new byte[Macs.LEN];
        Blake2s.mac(secret, scratch, 0, n, cookie, 0);
        return cookie;
    }
}
