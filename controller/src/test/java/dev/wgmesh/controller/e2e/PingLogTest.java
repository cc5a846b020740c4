package dev.wgmesh.controller.e2e;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PingLogTest {
    @TempDir
    Path dir;

    private Path log(String replies, int transmitted, int received) throws Exception {
        StringBuilder text = new StringBuilder("PING 10.77.0.3 (10.77.0.3) 56(84) bytes of data.\n");
        for (String seq : replies.split(",")) {
            text.append("64 bytes from 10.77.0.3: icmp_seq=").append(seq).append(" ttl=64 time=2.16 ms\n");
        }
        text.append("\n--- 10.77.0.3 ping statistics ---\n")
                .append(transmitted)
                .append(" packets transmitted, ")
                .append(received)
                .append(" received, 25% packet loss, time 600ms\n");
        return Files.writeString(dir.resolve("ping.txt"), text);
    }

    @Test
    void theRequestInFlightAtTheInterruptIsNotALoss() throws Exception {
        assertThatCode(() -> PingLog.assertNoneLostBeforeTheInterrupt(log("1,2,3", 4, 3)))
                .doesNotThrowAnyException();
    }

    @Test
    void aMissingReplyBeforeTheLastIsALoss() throws Exception {
        Path log = log("1,3,4", 4, 3);
        assertThatThrownBy(() -> PingLog.assertNoneLostBeforeTheInterrupt(log))
                .hasMessageContaining("echo request 2 answered");
    }

    @Test
    void noSummaryFails() throws Exception {
        Path log = Files.writeString(dir.resolve("empty.txt"), "ping: connect: Network is unreachable\n");
        assertThatThrownBy(() -> PingLog.assertNoneLostBeforeTheInterrupt(log)).hasMessageContaining("ping summary");
    }
}
