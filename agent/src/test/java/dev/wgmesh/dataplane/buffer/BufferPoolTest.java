package dev.wgmesh.dataplane.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BufferPoolTest {
    @Test
    void reusesBuffersAndResetsThem() {
        BufferPool pool = new BufferPool(128, 4);
        PacketBuffer b = pool.acquire();
        b.length = 10;
        b.owner = "peer";
        b.release();
        PacketBuffer again = pool.acquire();
        assertThat(again).isSameAs(b);
        assertThat(again.offset).isEqualTo(PacketBuffer.HEADROOM);
        assertThat(again.length).isZero();
        assertThat(again.owner).isNull();
        assertThat(pool.created()).isEqualTo(1);
    }

    @Test
    void exhaustionReturnsNullAndIsCounted() {
        BufferPool pool = new BufferPool(128, 3);
        List<PacketBuffer> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(pool.acquire());
        }
        assertThat(held).doesNotContainNull().doesNotHaveDuplicates();
        assertThat(pool.acquire()).isNull();
        assertThat(pool.exhaustedCount()).isEqualTo(1);
        held.getFirst().release();
        assertThat(pool.acquire()).isSameAs(held.getFirst());
    }

    @Test
    void aBufferGrowsForALargerPacketAndKeepsItsSizeInThePool() {
        BufferPool pool = new BufferPool(1552, 4);
        PacketBuffer b = pool.acquire();
        b.reserve(1000);
        assertThat(b.capacity()).as("room enough: unchanged").isEqualTo(1552);
        b.reserve(1553);
        assertThat(b.capacity()).as("rounded up to whole KiB").isEqualTo(2048);
        b.reserve(PacketBuffer.MAX_CAPACITY);
        assertThat(b.capacity()).isEqualTo(PacketBuffer.MAX_CAPACITY);
        assertThatThrownBy(() -> b.reserve(PacketBuffer.MAX_CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
        b.release();
        assertThat(pool.acquire().capacity()).isEqualTo(PacketBuffer.MAX_CAPACITY);
        assertThat(pool.acquire().capacity())
                .as("a new buffer has the pool's size")
                .isEqualTo(1552);
    }

    @Test
    void raisingTheBufferSizeAppliesToNewBuffersAndNeverShrinks() {
        BufferPool pool = new BufferPool(1552, 8);
        PacketBuffer old = pool.acquire();
        pool.raiseBufferSize(9048);
        pool.raiseBufferSize(4000);
        assertThat(pool.bufferSize()).isEqualTo(9048);
        assertThat(pool.acquire().capacity()).isEqualTo(9048);
        assertThat(old.capacity()).isEqualTo(1552);
        assertThatThrownBy(() -> pool.raiseBufferSize(PacketBuffer.MAX_CAPACITY + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
