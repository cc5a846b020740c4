package dev.wgmesh.dataplane.io.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryTunTest {

    @Test
    void injectedPacketsAreReadInOrderAndWrittenOnesCollected() throws Exception {
        try (MemoryTun tun = new MemoryTun("wgtest0", 1420)) {
            tun.inject(new byte[] {1, 2, 3});
            tun.inject(new byte[] {4});
            byte[] buf = new byte[100];
            assertThat(tun.read(buf, 10, 90)).isEqualTo(3);
            assertThat(buf[10]).isEqualTo((byte) 1);
            assertThat(buf[12]).isEqualTo((byte) 3);
            assertThat(tun.read(buf, 0, 100)).isEqualTo(1);

            tun.write(new byte[] {9, 8, 7, 6}, 1, 2);
            assertThat(tun.pendingToHost()).isEqualTo(1);
            assertThat(tun.collect(1, TimeUnit.SECONDS)).containsExactly(8, 7);
            assertThat(tun.collect()).isNull();
        }
    }

    @Test
    void fullQueuesDropAndCount() throws Exception {
        try (MemoryTun tun = new MemoryTun("wgtest0", 1420, 2)) {
            assertThat(tun.inject(new byte[1])).isTrue();
            assertThat(tun.inject(new byte[1])).isTrue();
            assertThat(tun.inject(new byte[1])).isFalse();
            assertThat(tun.droppedToDevice()).isEqualTo(1);
            for (int i = 0; i < 3; i++) {
                tun.write(new byte[1], 0, 1);
            }
            assertThat(tun.droppedToHost()).isEqualTo(1);
            assertThat(tun.pendingToHost()).isEqualTo(2);
        }
    }

    @Test
    void closeWakesBlockedReadersAndFailsWrites() throws Exception {
        MemoryTun tun = new MemoryTun("wgtest0", 1420);
        CompletableFuture<Integer> r1 = CompletableFuture.supplyAsync(() -> read(tun));
        CompletableFuture<Integer> r2 = CompletableFuture.supplyAsync(() -> read(tun));
        Thread.sleep(50);
        tun.close();
        assertThat(r1.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(r2.get(5, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(tun.read(new byte[10], 0, 10)).isEqualTo(-1);
        assertThatThrownBy(() -> tun.write(new byte[1], 0, 1)).isInstanceOf(IOException.class);
        assertThat(tun.inject(new byte[1])).isFalse();
    }

    @Test
    void tooSmallReadBufferFailsLoudly() throws Exception {
        try (MemoryTun tun = new MemoryTun("wgtest0", 1420)) {
            tun.inject(new byte[50]);
            assertThatThrownBy(() -> tun.read(new byte[10], 0, 10)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void mtuIsSettable() {
        try (MemoryTun tun = new MemoryTun("wgtest0", 1420)) {
            tun.setMtu(1280);
            assertThat(tun.mtu()).isEqualTo(1280);
            assertThat(tun.name()).isEqualTo("wgtest0");
            assertThatThrownBy(() -> tun.setMtu(100)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static int read(MemoryTun tun) {
        try {
            return tun.read(new byte[2048], 0, 2048);
        } catch (IOException ex) {
            throw new RuntimeException(ex);
        }
    }
}
