package dev.wgmesh.dataplane.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.dataplane.crypto.ChaChaPoly;
import dev.wgmesh.dataplane.crypto.Hex;
import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.message.InitiationMessage;
import dev.wgmesh.dataplane.message.ResponseMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandshakeTest {
    private static final long T0 = 1_000_000_000_000L;

    /** One side: identity, indices, and its handshake state for the other side. */
    static final class Side {
        final LocalIdentity identity = new LocalIdentity(Keys.generatePrivateKey());
        final TestIndices indices = new TestIndices();
        Handshake peer;

        void knows(Side other, byte[] psk) {
            peer = new Handshake(other.identity.publicKey(), indices);
            peer.setLocalIdentity(identity);
            peer.setPresharedKey(psk);
        }

        Handshake lookup(byte[] key, int off) {
            return peer != null && peer.hasRemoteStatic(key, off) ? peer : null;
        }
    }

    private final Side a = new Side();
    private final Side b = new Side();

    @Test
    void initialChainKeyAndHashMatchTheProtocol() {
        assertThat(Hex.str(NoiseConstants.INITIAL_CHAIN_KEY))
                .isEqualTo("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
        assertThat(Hex.str(NoiseConstants.INITIAL_HASH))
                .isEqualTo("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
    }

    @Test
    void handshakeWithoutPsk() {
        a.knows(b, null);
        b.knows(a, null);
        completeAndCheck(T0);
    }

    @Test
    void handshakeWithPsk() {
        byte[] psk = Keys.generatePresharedKey();
        a.knows(b, psk);
        b.knows(a, psk);
        completeAndCheck(T0);
    }

    @Test
    void secondHandshakeAfterTheFirstGivesFreshKeys() {
        a.knows(b, null);
        b.knows(a, null);
        SessionKeys[] first = completeAndCheck(T0);
        SessionKeys[] second = completeAndCheck(T0 + WireGuardSpec.HANDSHAKE_INITIATION_RATE_NANOS);
        assertThat(second[0].sendKey().getEncoded())
                .isNotEqualTo(first[0].sendKey().getEncoded());
        assertThat(second[0].localIndex()).isNotEqualTo(first[0].localIndex());
    }

    private SessionKeys[] completeAndCheck(long now) {
        byte[] init = new byte[InitiationMessage.SIZE];
        int aIndex = a.peer.createInitiation(init, 0);
        assertThat(a.peer.state()).isEqualTo(HandshakeState.INITIATION_CREATED);
        assertThat(InitiationMessage.isValid(init, 0, init.length)).isTrue();
        assertThat(InitiationMessage.sender(init, 0)).isEqualTo(aIndex);

        Handshake found = Handshake.consumeInitiation(b.identity, b::lookup, init, 0, now);
        assertThat(found).isSameAs(b.peer);
        assertThat(b.peer.state()).isEqualTo(HandshakeState.INITIATION_CONSUMED);

        byte[] resp = new byte[ResponseMessage.SIZE];
        int bIndex = b.peer.createResponse(resp, 0);
        assertThat(bIndex).isNotZero();
        assertThat(ResponseMessage.isValid(resp, 0, resp.length)).isTrue();
        assertThat(ResponseMessage.receiver(resp, 0)).isEqualTo(aIndex);

        assertThat(a.peer.consumeResponse(resp, 0)).isTrue();
        SessionKeys ka = a.peer.deriveKeys(now);
        SessionKeys kb = b.peer.deriveKeys(now);
        assertThat(a.peer.state()).isEqualTo(HandshakeState.ZEROED);
        assertThat(b.peer.state()).isEqualTo(HandshakeState.ZEROED);
        assertThat(ka.initiator()).isTrue();
        assertThat(kb.initiator()).isFalse();
        assertThat(ka.localIndex()).isEqualTo(aIndex).isEqualTo(kb.remoteIndex());
        assertThat(kb.localIndex()).isEqualTo(bIndex).isEqualTo(ka.remoteIndex());
        assertThat(ka.sendKey().getEncoded()).isEqualTo(kb.receiveKey().getEncoded());
        assertThat(ka.receiveKey().getEncoded()).isEqualTo(kb.sendKey().getEncoded());
        assertThat(ka.sendKey().getEncoded()).isNotEqualTo(ka.receiveKey().getEncoded());
        assertThat(ka.toString()).doesNotContainPattern("[0-9a-f]{32}");

        // The keys carry data both ways.
        ChaChaPoly aead = new ChaChaPoly();
        byte[] buf = "hello over wireguard".getBytes();
        byte[] packet = Arrays.copyOf(buf, buf.length + 16);
        aead.seal(ka.sendKey(), 0, packet, 0, buf.length);
        assertThat(aead.open(kb.receiveKey(), 0, packet, 0, packet.length)).isEqualTo(buf.length);
        assertThat(Arrays.copyOf(packet, buf.length)).isEqualTo(buf);
        return new SessionKeys[] {ka, kb};
    }

    @Test
    void wrongPskFailsAtTheInitiator() {
        a.knows(b, Keys.generatePresharedKey());
        b.knows(a, Keys.generatePresharedKey());
        byte[] init = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(init, 0);
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0))
                .isSameAs(b.peer); // the PSK only enters with the response (psk2)
        byte[] resp = new byte[ResponseMessage.SIZE];
        b.peer.createResponse(resp, 0);
        assertThat(a.peer.consumeResponse(resp, 0)).isFalse();
        assertThat(a.peer.deriveKeys(T0)).isNull();
        assertThat(a.peer.state()).isEqualTo(HandshakeState.INITIATION_CREATED);
    }

    @Test
    void pskOnOneSideOnlyFails() {
        a.knows(b, Keys.generatePresharedKey());
        b.knows(a, null);
        byte[] init = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(init, 0);
        Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0);
        byte[] resp = new byte[ResponseMessage.SIZE];
        b.peer.createResponse(resp, 0);
        assertThat(a.peer.consumeResponse(resp, 0)).isFalse();
    }

    @Test
    void initiationForAnotherKeyOrFromAnUnknownPeerIsRejected() {
        Side c = new Side();
        a.knows(c, null); // a believes c's key is the responder
        b.knows(a, null);
        byte[] init = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(init, 0);
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0))
                .isNull();

        Side d = new Side();
        d.knows(b, null);
        d.peer.createInitiation(init, 0);
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0))
                .isNull(); // b does not know d
    }

    @Test
    void replayedInitiationIsRejected() {
        a.knows(b, null);
        b.knows(a, null);
        byte[] init = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(init, 0);
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0))
                .isNotNull();
        long later = T0 + 10 * WireGuardSpec.HANDSHAKE_INITIATION_RATE_NANOS;
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, init.clone(), 0, later))
                .isNull();
    }

    @Test
    void initiationsFasterThanTheRateAreRejected() {
        a.knows(b, null);
        b.knows(a, null);
        byte[] first = new byte[InitiationMessage.SIZE];
        byte[] second = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(first, 0);
        a.peer.createInitiation(second, 0); // strictly newer timestamp, even within one clock tick
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, first, 0, T0))
                .isNotNull();
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, second, 0, T0 + 1_000_000))
                .isNull();
        assertThat(Handshake.consumeInitiation(
                        b.identity, b::lookup, second, 0, T0 + WireGuardSpec.HANDSHAKE_INITIATION_RATE_NANOS))
                .isNotNull();
    }

    @Test
    void everyFlippedBitInTheAuthenticatedPartOfAnInitiationIsRejected() {
        a.knows(b, null);
        b.knows(a, null);
        byte[] init = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(init, 0);
        for (int bit = InitiationMessage.EPHEMERAL * 8; bit < InitiationMessage.MAC1 * 8; bit++) {
            byte[] t = init.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(Handshake.consumeInitiation(b.identity, b::lookup, t, 0, T0))
                    .as("bit %d", bit)
                    .isNull();
        }
        assertThat(b.peer.state()).isEqualTo(HandshakeState.ZEROED);
        assertThat(Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0))
                .isNotNull();
    }

    @Test
    void everyFlippedBitInTheAuthenticatedPartOfAResponseIsRejected() {
        byte[] psk = Keys.generatePresharedKey();
        a.knows(b, psk);
        b.knows(a, psk);
        byte[] init = new byte[InitiationMessage.SIZE];
        a.peer.createInitiation(init, 0);
        Handshake.consumeInitiation(b.identity, b::lookup, init, 0, T0);
        byte[] resp = new byte[ResponseMessage.SIZE];
        b.peer.createResponse(resp, 0);
        for (int bit = ResponseMessage.RECEIVER * 8; bit < ResponseMessage.MAC1 * 8; bit++) {
            byte[] t = resp.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(a.peer.consumeResponse(t, 0)).as("bit %d", bit).isFalse();
        }
        assertThat(a.peer.consumeResponse(resp, 0)).isTrue();
        // A response is consumed once.
        assertThat(a.peer.consumeResponse(resp, 0)).isFalse();
    }

    @Test
    void responseWithoutConsumedInitiationIsNotCreated() {
        a.knows(b, null);
        assertThat(a.peer.createResponse(new byte[ResponseMessage.SIZE], 0)).isZero();
        assertThat(a.peer.deriveKeys(T0)).isNull();
    }

    @Test
    void indicesAreReleasedWhenAHandshakeIsAbandoned() {
        a.knows(b, null);
        byte[] init = new byte[InitiationMessage.SIZE];
        int first = a.peer.createInitiation(init, 0);
        int second = a.peer.createInitiation(init, 0);
        assertThat(a.indices.live).containsOnlyKeys(second);
        assertThat(first).isNotEqualTo(second);
        a.peer.clear();
        assertThat(a.indices.live).isEmpty();
    }

    @Test
    void lowOrderPeerKeyCannotHandshake() {
        Handshake h = new Handshake(new byte[32], a.indices);
        h.setLocalIdentity(a.identity);
        assertThat(h.canHandshake()).isFalse();
        assertThatThrownBy(() -> h.createInitiation(new byte[InitiationMessage.SIZE], 0))
                .isInstanceOf(IllegalStateException.class);
    }
}
