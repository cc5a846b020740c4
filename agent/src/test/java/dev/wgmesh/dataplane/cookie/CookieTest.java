package dev.wgmesh.dataplane.cookie;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.dataplane.crypto.Keys;
import dev.wgmesh.dataplane.crypto.X25519;
import dev.wgmesh.dataplane.io.Endpoint;
import dev.wgmesh.dataplane.message.CookieReplyMessage;
import dev.wgmesh.dataplane.message.InitiationMessage;
import dev.wgmesh.dataplane.message.ResponseMessage;
import dev.wgmesh.dataplane.message.WireGuardSpec;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CookieTest {
    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final byte[] responderPublic = X25519.publicKey(Keys.generatePrivateKey());
    private final CookieGenerator responder = new CookieGenerator(responderPublic, clock::get);
    private final CookieChecker initiator = new CookieChecker(responderPublic, clock::get);
    private final Endpoint source = Endpoint.parse("192.0.2.7:51820");

    private byte[] initiation() {
        byte[] msg = new byte[InitiationMessage.SIZE];
        new Random(3).nextBytes(msg);
        InitiationMessage.writeHeader(msg, 0, 0x11223344);
        initiator.addMacs(msg, 0, msg.length);
        return msg;
    }

    @Test
    void mac1IsCheckedAndEveryFlippedBitBreaksIt() {
        byte[] msg = initiation();
        assertThat(responder.isMac1Valid(msg, 0, msg.length)).isTrue();
        for (int bit = 0; bit < InitiationMessage.MAC2 * 8; bit++) {
            byte[] t = msg.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(responder.isMac1Valid(t, 0, t.length)).as("bit %d", bit).isFalse();
        }
        CookieGenerator other = new CookieGenerator(X25519.publicKey(Keys.generatePrivateKey()), clock::get);
        assertThat(other.isMac1Valid(msg, 0, msg.length)).isFalse();
    }

    @Test
    void withoutACookieMac2IsZeroAndInvalid() {
        byte[] msg = initiation();
        for (int i = 0; i < 16; i++) {
            assertThat(msg[InitiationMessage.MAC2 + i]).isZero();
        }
        assertThat(responder.isMac2Valid(msg, 0, msg.length, source)).isFalse();
    }

    @Test
    void cookieRoundTripThenMac2Validates() {
        byte[] msg = initiation();
        byte[] reply = new byte[CookieReplyMessage.SIZE];
        responder.writeReply(msg, 0, msg.length, source, reply, 0);
        assertThat(CookieReplyMessage.isValid(reply, 0, reply.length)).isTrue();
        assertThat(CookieReplyMessage.receiver(reply, 0)).isEqualTo(0x11223344);

        assertThat(initiator.consumeReply(reply, 0)).isTrue();
        assertThat(initiator.hasFreshCookie()).isTrue();

        byte[] again = initiation();
        assertThat(responder.isMac1Valid(again, 0, again.length)).isTrue();
        assertThat(responder.isMac2Valid(again, 0, again.length, source)).isTrue();
        assertThat(responder.isMac2Valid(again, 0, again.length, Endpoint.parse("192.0.2.7:51821")))
                .isFalse();
        assertThat(responder.isMac2Valid(again, 0, again.length, Endpoint.parse("[2001:db8::7]:51820")))
                .isFalse();
    }

    @Test
    void cookieWorksForResponsesToo() {
        byte[] msg = new byte[ResponseMessage.SIZE];
        ResponseMessage.writeHeader(msg, 0, 77, 88);
        initiator.addMacs(msg, 0, msg.length);
        assertThat(responder.isMac1Valid(msg, 0, msg.length)).isTrue();
        byte[] reply = new byte[CookieReplyMessage.SIZE];
        responder.writeReply(msg, 0, msg.length, source, reply, 0);
        assertThat(CookieReplyMessage.receiver(reply, 0)).isEqualTo(77);
        assertThat(initiator.consumeReply(reply, 0)).isTrue();
    }

    @Test
    void tamperedOrMismatchedRepliesAreRejected() {
        byte[] msg = initiation();
        byte[] reply = new byte[CookieReplyMessage.SIZE];
        responder.writeReply(msg, 0, msg.length, source, reply, 0);
        for (int bit = CookieReplyMessage.NONCE * 8; bit < CookieReplyMessage.SIZE * 8; bit++) {
            byte[] t = reply.clone();
            t[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(initiator.consumeReply(t, 0)).as("bit %d", bit).isFalse();
        }
        // A reply to an older message (its mac1 is the AD) no longer fits once we sent a new one.
        byte[] newer = msg.clone();
        newer[20] ^= 1;
        initiator.addMacs(newer, 0, newer.length);
        assertThat(initiator.consumeReply(reply, 0)).isFalse();
        assertThat(initiator.hasFreshCookie()).isFalse();
    }

    @Test
    void cookiesExpire() {
        byte[] msg = initiation();
        byte[] reply = new byte[CookieReplyMessage.SIZE];
        responder.writeReply(msg, 0, msg.length, source, reply, 0);
        initiator.consumeReply(reply, 0);
        clock.addAndGet(WireGuardSpec.COOKIE_REFRESH_TIME_NANOS + 1);
        assertThat(initiator.hasFreshCookie()).isFalse();
        byte[] again = initiation();
        assertThat(responder.isMac2Valid(again, 0, again.length, source)).isFalse();
    }

    @Test
    void rateLimiterAllowsBurstThenTwentyPerSecondPerSource() {
        HandshakeRateLimiter limiter = new HandshakeRateLimiter(clock::get);
        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            if (limiter.allow(source)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(5);
        assertThat(limiter.allow(Endpoint.parse("192.0.2.8:1"))).isTrue();
        clock.addAndGet(50_000_000L); // one packet's worth of tokens
        assertThat(limiter.allow(source)).isTrue();
        assertThat(limiter.allow(source)).isFalse();
        // Another port of the same host shares the bucket; another host in the same IPv6 /64 too.
        assertThat(limiter.allow(Endpoint.parse("192.0.2.7:9999"))).isFalse();
        assertThat(limiter.allow(Endpoint.parse("[2001:db8::1]:1"))).isTrue();
        for (int i = 0; i < 4; i++) {
            limiter.allow(Endpoint.parse("[2001:db8::" + (i + 2) + "]:1"));
        }
        assertThat(limiter.allow(Endpoint.parse("[2001:db8::99]:1"))).isFalse();
        assertThat(limiter.allow(Endpoint.parse("[2001:db8:0:1::1]:1"))).isTrue();
        clock.addAndGet(2_000_000_000L);
        limiter.allow(source);
        assertThat(limiter.size()).isEqualTo(1); // idle entries collected
    }
}
