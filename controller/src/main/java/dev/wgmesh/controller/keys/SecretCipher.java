package dev.wgmesh.controller.keys;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals secrets at rest with AES-256-GCM (NIST SP 800-38D) under the master key.
 *
 * <pre>
 *   sealed = "v1:" base64( nonce[12] | ciphertext | tag[16] )
 *   AAD    = context (e.g. "peer-private-key:" + peer id)
 * </pre>
 *
 * A fresh random 96-bit nonce per seal: far below the 2^32 messages per key that SP 800-38D §8.3 allows for random
 * nonces at our volumes. The context binds a ciphertext to its row, so copying one peer's sealed key into another row
 * fails to open instead of silently handing out the wrong key.
 *
 * <p>Thread-safe: a {@link Cipher} is not, so each call takes one from a small pool of idle instances (or makes one)
 * and gives it back when it succeeded. {@code Cipher.getInstance}'s provider lookup cost about 1.5 % of a DEVICE peer
 * creation's CPU; {@code init} with the key and a fresh nonce resets an instance completely.
 */
public final class SecretCipher {
    private static final String PREFIX = "v1:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final String TRANSFORMATION = "AES/GCM/NoPadding";
    /** Idle instances kept at most: beyond the usual concurrency, one more is made and dropped after use. */
    private static final int MAX_IDLE = 64;

    private final SecretKey key;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentLinkedQueue<Cipher> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger idleCount = new AtomicInteger();

    public SecretCipher(byte[] masterKey) {
        if (masterKey.length != 32) {
            throw new IllegalArgumentException("the master key must be 32 bytes");
        }
        this.key = new SecretKeySpec(masterKey, "AES");
    }

    public String seal(WireGuardSecret secret, String context) {
        return seal(secret.reveal().getBytes(StandardCharsets.US_ASCII), context);
    }

    public WireGuardSecret openKey(String sealed, String context) {
        byte[] plain = open(sealed, context);
        try {
            return new WireGuardSecret(new String(plain, StandardCharsets.US_ASCII));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    public String seal(byte[] plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = take();
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + c.getOutputSize(plaintext.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            c.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
            giveBack(c);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-GCM encryption failed", ex);
        }
    }

    /** @throws SecretUnreadableException tampered, truncated, wrong context or wrong master key */
    public byte[] open(String sealed, String context) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new SecretUnreadableException("unknown sealed-secret format");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException ex) {
            throw new SecretUnreadableException("sealed secret is not base64");
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretUnreadableException("sealed secret is truncated");
        }
        try {
            Cipher c = take();
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] plain = c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            giveBack(c);
            return plain;
        } catch (javax.crypto.AEADBadTagException ex) {
            throw new SecretUnreadableException(
                    "sealed secret failed authentication (tampered, moved to another row, or another master key)");
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("AES-GCM decryption failed", ex);
        }
    }

    private Cipher take() throws GeneralSecurityException {
        Cipher c = idle.poll();
        if (c == null) {
            return Cipher.getInstance(TRANSFORMATION);
        }
        idleCount.decrementAndGet();
        return c;
    }

    /** Only after a call that succeeded: a failed one may have left the instance mid-operation. */
    private void giveBack(Cipher c) {
        if (idleCount.incrementAndGet() <= MAX_IDLE) {
            idle.offer(c);
        } else {
            idleCount.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "SecretCipher[AES-256-GCM]";
    }

    /** A stored secret cannot be opened: a local fault (wrong master key, corrupted row), never user input. */
    public static final class SecretUnreadableException extends RuntimeException {
        SecretUnreadableException(String message) {
            super(message);
        }
    }
}
