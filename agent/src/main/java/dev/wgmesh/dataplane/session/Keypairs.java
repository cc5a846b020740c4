package dev.wgmesh.dataplane.session;

import java.util.function.Consumer;

/**
 * A peer's three keypair slots and the rotation rules of whitepaper §5.4.5/§6 as Linux {@code noise.c} and
 * wireguard-go ({@code BeginSymmetricSession}, {@code ReceivedWithKeypair}) apply them.
 *
 * <ul>
 *   <li><b>current</b> — what we send with.
 *   <li><b>previous</b> — the one before, kept so packets still in flight from the peer decrypt.
 *   <li><b>next</b> — a responder's new keypair, not yet confirmed: the initiator may not have received our
 *       response, so we must not send with it until the first authenticated data packet arrives under it.
 * </ul>
 *
 * Installing a keypair we <i>initiated</i>: it becomes current at once (the response confirmed it); the old
 * current becomes previous — or, if an unconfirmed next existed, that next becomes previous and the old current
 * is retired. Installing one we <i>responded</i> to: it becomes next (replacing any older next) and previous is
 * retired; current stays until {@link #receivedWith} promotes next (next → current, current → previous).
 *
 * <p>Every keypair that leaves the slots is passed to the retire callback — the device removes its local index
 * from the {@link IndexTable} there — and then {@linkplain Keypair#wipe() wiped}.
 *
 * <p>Concurrency: the slots are volatile, so the send path reads {@link #current()} and the receive path checks
 * {@link #next()} without locking; changes happen under this object's lock, which the hot path takes only once
 * per rotation (in {@link #receivedWith} for the keypair that is exactly next).
 */
public final class Keypairs {
    private final Consumer<Keypair> retire;

    // written under this; read lock-free
    private volatile Keypair previous;
    private volatile Keypair current;
    private volatile Keypair next;

    /** @param retire called (under this object's lock, so keep it short) for each keypair before it is wiped */
    public Keypairs(Consumer<Keypair> retire) {
        this.retire = retire;
    }

    public Keypair current() {
        return current;
    }

    public Keypair previous() {
        return previous;
    }

    public Keypair next() {
        return next;
    }

    /** Installs a freshly derived keypair per the rules above; its {@link Keypair#isInitiator()} picks the rule. */
    public synchronized void install(Keypair keypair) {
        Keypair oldPrevious = previous;
        Keypair oldNext = next;
        Keypair oldCurrent = current;
        if (keypair.isInitiator()) {
            if (oldNext != null) {
                next = null;
                previous = oldNext;
                discard(oldCurrent);
            } else {
                previous = oldCurrent;
            }
            discard(oldPrevious);
            current = keypair;
        } else {
            next = keypair;
            discard(oldNext);
            previous = null;
            discard(oldPrevious);
        }
    }

    /**
     * Call after a transport data packet authenticated under {@code keypair}. If that is the pending next keypair
     * it is promoted (next → current, current → previous, previous retired): the handshake is now confirmed and
     * the caller must treat it as complete (timers {@code onHandshakeComplete}, send staged packets).
     *
     * @return true when this call promoted {@code keypair}
     */
    public boolean receivedWith(Keypair keypair) {
        if (next != keypair || keypair == null) {
            return false; // the common case: no lock
        }
        synchronized (this) {
            if (next != keypair) {
                return false;
            }
            Keypair oldPrevious = previous;
            previous = current;
            current = keypair;
            next = null;
            discard(oldPrevious);
            return true;
        }
    }

    /** The keypair in any slot whose local index is {@code localIndex}, or null. */
    public Keypair byLocalIndex(int localIndex) {
        Keypair k = current;
        if (k != null && k.localIndex() == localIndex) {
            return k;
        }
        k = next;
        if (k != null && k.localIndex() == localIndex) {
            return k;
        }
        k = previous;
        if (k != null && k.localIndex() == localIndex) {
            return k;
        }
        return null;
    }

    /** Retires and wipes all three keypairs (key-material zeroing, peer removal, private key change). */
    public synchronized void clear() {
        Keypair p = previous;
        Keypair c = current;
        Keypair n = next;
        previous = null;
        current = null;
        next = null;
        discard(p);
        discard(c);
        discard(n);
    }

    private void discard(Keypair keypair) {
        if (keypair != null) {
            retire.accept(keypair);
            keypair.wipe();
        }
    }

    @Override
    public String toString() {
        return "Keypairs[previous=" + previous + ", current=" + current + ", next=" + next + "]";
    }
}
