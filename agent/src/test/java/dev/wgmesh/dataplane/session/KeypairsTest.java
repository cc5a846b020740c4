package dev.wgmesh.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.crypto.AeadKey;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import dev.wgmesh.dataplane.noise.SessionKeys;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeypairsTest {
    private final List<Keypair> retired = new ArrayList<>();
    private final Keypairs keypairs = new Keypairs(retired::add);
    private int nextIndex = 1;

    private Keypair keypair(boolean initiator) {
        byte[] send = new byte[32];
        byte[] recv = new byte[32];
        send[0] = 1;
        recv[0] = 2;
        int i = nextIndex++;
        return new Keypair(new AeadKey(send), new AeadKey(recv), i, 1000 + i, 0, initiator);
    }

    @Test
    void initiatorKeypairBecomesCurrentAtOnceAndOldCurrentPrevious() {
        Keypair k1 = keypair(true);
        Keypair k2 = keypair(true);
        Keypair k3 = keypair(true);
        keypairs.install(k1);
        assertThat(keypairs.current()).isSameAs(k1);
        keypairs.install(k2);
        assertThat(keypairs.current()).isSameAs(k2);
        assertThat(keypairs.previous()).isSameAs(k1);
        keypairs.install(k3);
        assertThat(keypairs.current()).isSameAs(k3);
        assertThat(keypairs.previous()).isSameAs(k2);
        assertThat(retired).containsExactly(k1);
        assertThat(k1.isWiped()).isTrue();
        assertThat(k1.receiveKey().isDestroyed()).isTrue();
        assertThat(k1.nextSendCounter()).isEqualTo(-1);
        assertThat(k2.isWiped()).isFalse();
        assertThat(k2.sendKey().getEncoded()[0]).isEqualTo((byte) 1);
    }

    @Test
    void responderKeypairWaitsInNextUntilFirstDataPacket() {
        Keypair old = keypair(true);
        keypairs.install(old);
        Keypair older = keypair(true);
        keypairs.install(older); // previous = old, current = older
        Keypair r = keypair(false);
        keypairs.install(r);
        assertThat(keypairs.next()).isSameAs(r);
        assertThat(keypairs.current())
                .as("still sending with the confirmed key")
                .isSameAs(older);
        assertThat(keypairs.previous()).as("responder drops previous").isNull();
        assertThat(retired).containsExactly(old);

        assertThat(keypairs.receivedWith(older)).isFalse();
        assertThat(keypairs.receivedWith(r)).isTrue();
        assertThat(keypairs.current()).isSameAs(r);
        assertThat(keypairs.previous()).isSameAs(older);
        assertThat(keypairs.next()).isNull();
        assertThat(keypairs.receivedWith(r)).as("only the first promotes").isFalse();
    }

    @Test
    void newerResponderKeypairReplacesUnconfirmedNext() {
        Keypair r1 = keypair(false);
        Keypair r2 = keypair(false);
        keypairs.install(r1);
        keypairs.install(r2);
        assertThat(keypairs.next()).isSameAs(r2);
        assertThat(retired).containsExactly(r1);
        assertThat(keypairs.receivedWith(r1)).isFalse();
    }

    @Test
    void initiatorKeypairWithPendingNextMovesNextToPreviousAndRetiresCurrent() {
        Keypair c = keypair(true);
        keypairs.install(c);
        Keypair n = keypair(false);
        keypairs.install(n);
        Keypair i = keypair(true);
        keypairs.install(i);
        assertThat(keypairs.current()).isSameAs(i);
        assertThat(keypairs.previous()).isSameAs(n);
        assertThat(keypairs.next()).isNull();
        assertThat(retired).containsExactly(c);
    }

    @Test
    void lookupByLocalIndexAndClear() {
        Keypair a = keypair(true);
        Keypair b = keypair(true);
        Keypair c = keypair(false);
        keypairs.install(a);
        keypairs.install(b);
        assertThat(keypairs.byLocalIndex(a.localIndex())).isSameAs(a);
        keypairs.install(c); // responder: previous (a) retired
        assertThat(keypairs.byLocalIndex(a.localIndex())).isNull();
        assertThat(keypairs.byLocalIndex(b.localIndex())).isSameAs(b);
        assertThat(keypairs.byLocalIndex(c.localIndex())).isSameAs(c);
        keypairs.clear();
        assertThat(keypairs.current()).isNull();
        assertThat(keypairs.next()).isNull();
        assertThat(keypairs.previous()).isNull();
        assertThat(retired).containsExactlyInAnyOrder(a, b, c);
        assertThat(b.isWiped()).isTrue();
        assertThat(c.sendKey().isDestroyed()).isTrue();
    }

    @Test
    void sendCounterCountsAndStopsAtRejectLimit() throws Exception {
        Keypair k = keypair(true);
        assertThat(k.nextSendCounter()).isZero();
        assertThat(k.nextSendCounter()).isEqualTo(1);
        assertThat(k.sendCount()).isEqualTo(2);
        assertThat(k.sendCountExceedsRekeyLimit()).isFalse();
        // Jump near the limits through the VarHandle-backed field (no public setter on purpose).
        var field = Keypair.class.getDeclaredField("sendCounter");
        field.setAccessible(true);
        field.setLong(k, WireGuardSpec.REKEY_AFTER_MESSAGES + 1);
        assertThat(k.sendCountExceedsRekeyLimit()).isTrue();
        field.setLong(k, WireGuardSpec.REJECT_AFTER_MESSAGES - 1);
        assertThat(k.nextSendCounter()).isEqualTo(WireGuardSpec.REJECT_AFTER_MESSAGES - 1);
        assertThat(k.nextSendCounter()).isEqualTo(-1);
        assertThat(k.nextSendCounter()).isEqualTo(-1);
        assertThat(k.sendCount()).isEqualTo(WireGuardSpec.REJECT_AFTER_MESSAGES);
    }

    @Test
    void expiryAndValidation() {
        Keypair k = new Keypair(new AeadKey(new byte[32]), new AeadKey(new byte[32]), 1, 2, 1_000, true);
        assertThat(k.isExpired(1_000 + WireGuardSpec.REJECT_AFTER_TIME_NANOS - 1))
                .isFalse();
        assertThat(k.isExpired(1_000 + WireGuardSpec.REJECT_AFTER_TIME_NANOS)).isTrue();
        assertThatThrownBy(() -> new Keypair(null, new AeadKey(new byte[32]), 1, 2, 0, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(k.toString()).doesNotContain("Key[");
    }

    @Test
    void fromSessionKeys() {
        AeadKey send = new AeadKey(new byte[32]);
        AeadKey recv = new AeadKey(new byte[32]);
        Keypair k = new Keypair(new SessionKeys(send, recv, 7, 8, false, 42));
        assertThat(k.sendKey()).isSameAs(send);
        assertThat(k.receiveKey()).isSameAs(recv);
        assertThat(k.localIndex()).isEqualTo(7);
        assertThat(k.remoteIndex()).isEqualTo(8);
        assertThat(k.isInitiator()).isFalse();
        assertThat(k.createdNanos()).isEqualTo(42);
        k.wipe();
        assertThat(send.isDestroyed()).isTrue();
        assertThat(recv.isDestroyed()).isTrue();
    }
}
