package dev.wgmesh.dataplane.buffer;

import static org.assertj.core.api.Assertions.assertThat;

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
}
