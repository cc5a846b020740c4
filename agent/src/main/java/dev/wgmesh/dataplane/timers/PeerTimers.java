package dev.wgmesh.dataplane.timers;

import static dev.wgmesh.dataplane.message.WireGuardSpec.KEEPALIVE_TIMEOUT_NANOS;
import static dev.wgmesh.dataplane.message.WireGuardSpec.MAX_TIMER_HANDSHAKES;
import static dev.wgmesh.dataplane.message.WireGuardSpec.REJECT_AFTER_TIME_NANOS;
import static dev.wgmesh.dataplane.message.WireGuardSpec.REKEY_AFTER_TIME_NANOS;
import static dev.wgmesh.dataplane.message.WireGuardSpec.REKEY_TIMEOUT_JITTER_MAX_NANOS;
import static dev.wgmesh.dataplane.message.WireGuardSpec.REKEY_TIMEOUT_NANOS;

import dev.wgmesh.dataplane.session.Keypair;
import dev.wgmesh.dataplane.time.Clock;
import dev.wgmesh.dataplane.time.Scheduler;
import dev.wgmesh.dataplane.time.Timer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/**
 * The five per-peer timers of whitepaper §6, with the event hooks of wireguard-go's {@code timers.go}.
 *
 * <pre>
 *   timer                 armed by                         fires after                         then
 *   retransmitHandshake   onHandshakeInitiated             REKEY_TIMEOUT + jitter(0..1/3 s)     retry, or give up after
 *                                                                                                MAX_TIMER_HANDSHAKES (90 s)
 *   sendKeepalive         onDataReceived                   KEEPALIVE_TIMEOUT (10 s)            keepalive
 *   newHandshake          onDataSent                       KEEPALIVE + REKEY_TIMEOUT + jitter  fresh handshake
 *   zeroKeyMaterial       onSessionDerived                 3 × REJECT_AFTER_TIME (540 s)       zero all keys
 *   persistentKeepalive   onAnyAuthenticatedPacketTraversal persistent keepalive interval      keepalive
 * </pre>
 *
 * Cancelling: sending any authenticated packet cancels sendKeepalive (it carried the acknowledgement); receiving
 * any cancels newHandshake (the peer is alive); a completed handshake cancels retransmitHandshake.
 *
 * <p>Threading: hooks are called from the data-plane threads, lock-free and allocation-free in steady state (see
 * {@link Timer}); actions run on the {@link Scheduler}'s thread. Hooks are no-ops until {@link #start()} and after
 * {@link #stop()} (wireguard-go {@code timersActive}: device up and peer running).
 */
public final class PeerTimers {
    /** All key material is erased this long after the last session was derived: 3 × REJECT_AFTER_TIME (§6.3). */
    public static final long ZERO_KEY_MATERIAL_AFTER_NANOS = 3 * REJECT_AFTER_TIME_NANOS;

    /**
     * The initiator starts a "last minute" handshake on receiving data with a key this old: REJECT_AFTER_TIME −
     * KEEPALIVE_TIMEOUT − REKEY_TIMEOUT = 165 s (§6.2), so a new key is ready before the old one dies.
     */
    public static final long REKEY_ON_RECEIVE_AGE_NANOS =
            REJECT_AFTER_TIME_NANOS - KEEPALIVE_TIMEOUT_NANOS - REKEY_TIMEOUT_NANOS;

    private final Clock clock;
    private final TimerActions actions;
    private final RandomGenerator random;

    private final Timer retransmitHandshake;
    private final Timer sendKeepalive;
    private final Timer newHandshake;
    private final Timer zeroKeyMaterial;
    private final Timer persistentKeepalive;

    private final AtomicInteger handshakeAttempts = new AtomicInteger();
    private final AtomicBoolean needAnotherKeepalive = new AtomicBoolean();
    private final AtomicBoolean sentLastMinuteHandshake = new AtomicBoolean();
    private volatile boolean active;
    private volatile long persistentKeepaliveNanos;
    /** Monotonic time the last initiation was sent; starts far enough back to allow the first at once. */
    private volatile long lastInitiationSentNanos;
    /** Wall-clock time of the last completed handshake, 0 = never (UAPI {@code last_handshake_time}). */
    private volatile long lastHandshakeEpochNanos;

    /**
     * @param random jitter source, used from several threads (must be thread-safe); null = {@link
     *     ThreadLocalRandom}
     */
    public PeerTimers(Scheduler scheduler, TimerActions actions, RandomGenerator random) {
        this.clock = scheduler.clock();
        this.actions = actions;
        this.random = random;
        this.retransmitHandshake = scheduler.newTimer(this::expiredRetransmitHandshake);
        this.sendKeepalive = scheduler.newTimer(this::expiredSendKeepalive);
        this.newHandshake = scheduler.newTimer(this::expiredNewHandshake);
        this.zeroKeyMaterial = scheduler.newTimer(this::expiredZeroKeyMaterial);
        this.persistentKeepalive = scheduler.newTimer(this::expiredPersistentKeepalive);
        this.lastInitiationSentNanos = clock.nanoTime() - REKEY_TIMEOUT_NANOS - TimeUnit.SECONDS.toNanos(1);
    }

    public PeerTimers(Scheduler scheduler, TimerActions actions) {
        this(scheduler, actions, null);
    }

    // ---- lifecycle ----

    /** The peer runs (device up): hooks take effect. Resets the attempt and keepalive state (wireguard-go). */
    public void start() {
        handshakeAttempts.set(0);
        sentLastMinuteHandshake.set(false);
        needAnotherKeepalive.set(false);
        active = true;
    }

    /** The peer stops (device down, peer removed): every timer is cancelled and hooks do nothing. */
    public void stop() {
        active = false;
        retransmitHandshake.cancel();
        sendKeepalive.cancel();
        newHandshake.cancel();
        zeroKeyMaterial.cancel();
        persistentKeepalive.cancel();
    }

    public boolean isActive() {
        return active;
    }

    /**
     * Sets the persistent keepalive interval (UAPI {@code persistent_keepalive_interval}, seconds; 0 = off). The
     * device sends one keepalive right away when it turns the option on, as wireguard-go does; the timer itself is
     * armed by the next {@link #onAnyAuthenticatedPacketTraversal}.
     */
    public void setPersistentKeepaliveSeconds(int seconds) {
        if (seconds < 0 || seconds > 65535) {
            throw new IllegalArgumentException("persistent keepalive interval out of range");
        }
        persistentKeepaliveNanos = TimeUnit.SECONDS.toNanos(seconds);
        if (seconds == 0) {
            persistentKeepalive.cancel();
        }
    }

    public int persistentKeepaliveSeconds() {
        return (int) TimeUnit.NANOSECONDS.toSeconds(persistentKeepaliveNanos);
    }

    // ---- event hooks ----

    /** Call after an authenticated transport data packet (not a keepalive) was sent. */
    public void onDataSent() {
        if (active && !newHandshake.isPending()) {
            newHandshake.schedule(KEEPALIVE_TIMEOUT_NANOS + REKEY_TIMEOUT_NANOS + jitter());
        }
    }

    /** Call after an authenticated transport data packet (not a keepalive) was received. */
    public void onDataReceived() {
        if (active) {
            if (!sendKeepalive.isPending()) {
                sendKeepalive.schedule(KEEPALIVE_TIMEOUT_NANOS);
            } else {
                needAnotherKeepalive.set(true);
            }
        }
    }

    /** Call after any authenticated packet was sent: data, keepalive or handshake message. */
    public void onAnyAuthenticatedPacketSent() {
        if (active) {
            sendKeepalive.cancel();
        }
    }

    /** Call after any authenticated packet was received: data, keepalive or handshake message. */
    public void onAnyAuthenticatedPacketReceived() {
        if (active) {
            newHandshake.cancel();
        }
    }

    /**
     * Call before sending, or after receiving, any authenticated packet (data, keepalive, handshake): pushes the
     * persistent keepalive back by its interval.
     */
    public void onAnyAuthenticatedPacketTraversal() {
        long interval = persistentKeepaliveNanos;
        if (interval > 0 && active) {
            persistentKeepalive.schedule(interval);
        }
    }

    /** Call after a handshake initiation was sent (fresh or retry): arms the retransmission. */
    public void onHandshakeInitiated() {
        if (active) {
            retransmitHandshake.schedule(REKEY_TIMEOUT_NANOS + jitter());
        }
    }

    /**
     * Call when a handshake completes: after a handshake response was received and processed (initiator), or when
     * the first data packet arrives under a responder's next keypair ({@code Keypairs.receivedWith} returned true).
     */
    public void onHandshakeComplete() {
        if (active) {
            retransmitHandshake.cancel();
        }
        handshakeAttempts.set(0);
        sentLastMinuteHandshake.set(false);
        lastHandshakeEpochNanos = clock.epochNanos();
    }

    /**
     * Call when new session keys were derived: before sending a handshake response (responder) or after consuming
     * one (initiator). Restarts the 3 × REJECT_AFTER_TIME countdown to zeroing.
     */
    public void onSessionDerived() {
        if (active) {
            zeroKeyMaterial.schedule(ZERO_KEY_MATERIAL_AFTER_NANOS);
        }
    }

    // ---- handshake rate and rekey predicates ----

    /**
     * Call when about to send an initiation: returns false if one was sent less than REKEY_TIMEOUT ago (whitepaper
     * §6.1 — at most one initiation per REKEY_TIMEOUT), otherwise records now as the send time and returns true.
     * A fresh (non-retry) attempt resets the retry count, as in wireguard-go's {@code SendHandshakeInitiation}.
     */
    public boolean shouldSendInitiation(boolean isRetry) {
        if (!isRetry) {
            handshakeAttempts.set(0);
        }
        synchronized (this) {
            long now = clock.nanoTime();
            if (now - lastInitiationSentNanos < REKEY_TIMEOUT_NANOS) {
                return false;
            }
            lastInitiationSentNanos = now;
            return true;
        }
    }

    /**
     * After sending a data packet with {@code current}: true when a new handshake is due — the key has carried
     * more than REKEY_AFTER_MESSAGES, or we initiated it and it is older than REKEY_AFTER_TIME (whitepaper §6.2).
     * Lock-free; the device then calls {@code sendHandshakeInitiation(false)}, which rate-limits itself.
     */
    public boolean shouldRekeyOnSend(Keypair current) {
        if (current == null) {
            return false;
        }
        return current.sendCountExceedsRekeyLimit()
                || (current.isInitiator() && current.age(clock.nanoTime()) > REKEY_AFTER_TIME_NANOS);
    }

    /**
     * After receiving a data packet with {@code current}: true, once per handshake, when we initiated the key and it
     * is older than REJECT_AFTER_TIME − KEEPALIVE_TIMEOUT − REKEY_TIMEOUT, so a fresh key exists before the old one
     * expires even if we send nothing (whitepaper §6.2). Reset by {@link #onHandshakeComplete()}.
     */
    public boolean shouldRekeyOnReceive(Keypair current) {
        if (sentLastMinuteHandshake.get() || current == null || !current.isInitiator()) {
            return false;
        }
        if (current.age(clock.nanoTime()) <= REKEY_ON_RECEIVE_AGE_NANOS) {
            return false;
        }
        return sentLastMinuteHandshake.compareAndSet(false, true);
    }

    // ---- state for UAPI and tests ----

    /** Wall-clock nanoseconds of the last completed handshake, 0 if none. */
    public long lastHandshakeEpochNanos() {
        return lastHandshakeEpochNanos;
    }

    public int handshakeAttempts() {
        return handshakeAttempts.get();
    }

    /** Exposed for tests and diagnostics. */
    public Timer retransmitHandshakeTimer() {
        return retransmitHandshake;
    }

    public Timer sendKeepaliveTimer() {
        return sendKeepalive;
    }

    public Timer newHandshakeTimer() {
        return newHandshake;
    }

    public Timer zeroKeyMaterialTimer() {
        return zeroKeyMaterial;
    }

    public Timer persistentKeepaliveTimer() {
        return persistentKeepalive;
    }

    // ---- expiry (scheduler thread) ----

    private void expiredRetransmitHandshake() {
        if (!active) {
            return; // raced with stop()
        }
        if (handshakeAttempts.get() > MAX_TIMER_HANDSHAKES) {
            sendKeepalive.cancel();
            actions.handshakeGaveUp();
            // Destroy any residue of the partial exchange later, unless a countdown already runs.
            if (!zeroKeyMaterial.isPending()) {
                zeroKeyMaterial.schedule(ZERO_KEY_MATERIAL_AFTER_NANOS);
            }
        } else {
            handshakeAttempts.incrementAndGet();
            actions.clearEndpointSource();
            actions.sendHandshakeInitiation(true);
        }
    }

    private void expiredSendKeepalive() {
        if (!active) {
            return; // raced with stop()
        }
        actions.sendKeepalive();
        if (needAnotherKeepalive.compareAndSet(true, false)) {
            sendKeepalive.schedule(KEEPALIVE_TIMEOUT_NANOS);
        }
    }

    private void expiredNewHandshake() {
        if (!active) {
            return; // raced with stop()
        }
        actions.clearEndpointSource();
        actions.sendHandshakeInitiation(false);
    }

    private void expiredZeroKeyMaterial() {
        if (!active) {
            return; // raced with stop()
        }
        actions.zeroKeyMaterial();
    }

    private void expiredPersistentKeepalive() {
        if (!active) {
            return; // raced with stop()
        }
        if (persistentKeepaliveNanos > 0) {
            actions.sendKeepalive();
        }
    }

    /** Uniform in [0, 1/3 s], as wireguard-go's {@code fastrandn(RekeyTimeoutJitterMaxMs)} milliseconds. */
    private long jitter() {
        RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
        return r.nextLong(REKEY_TIMEOUT_JITTER_MAX_NANOS);
    }
}
