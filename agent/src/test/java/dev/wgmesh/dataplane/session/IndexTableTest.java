package dev.wgmesh.dataplane.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class IndexTableTest {

    @Test
    void registersUniqueNonZeroIndicesAndLooksThemUp() {
        IndexTable<String> table = new IndexTable<>();
        Map<Integer, String> registered = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String v = "v" + i;
            int index = table.register(v);
            assertThat(index).isNotIn(0, -1);
            assertThat(registered.put(index, v)).as("duplicate index").isNull();
        }
        assertThat(table.size()).isEqualTo(10_000);
        registered.forEach((index, v) -> assertThat(table.lookup(index)).isSameAs(v));
        assertThat(table.lookup(0)).isNull();
        assertThat(table.lookup(-1)).isNull();
    }

    @Test
    void neverReusesALiveIndexEvenWithACollidingGenerator() {
        // A generator with only 4 distinct non-reserved outputs must still give distinct indices.
        Random tiny = new Random(1) {
            @Override
            public int nextInt() {
                return super.nextInt(6) - 1; // -1..4
            }
        };
        IndexTable<String> table = new IndexTable<>(tiny);
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            got.add(table.register("x" + i));
        }
        assertThat(got).containsExactlyInAnyOrder(1, 2, 3, 4);
    }

    @Test
    void removeAndReplace() {
        IndexTable<String> table = new IndexTable<>(new Random(7));
        int a = table.register("handshake-a");
        int b = table.register("handshake-b");
        assertThat(table.replace(a, "keypair-a")).isTrue();
        assertThat(table.lookup(a)).isEqualTo("keypair-a");
        assertThat(table.replace(a, "wrong", "x")).isFalse();
        assertThat(table.replace(a, table.lookup(a), "keypair-a2")).isTrue();
        assertThat(table.remove(a)).isEqualTo("keypair-a2");
        assertThat(table.lookup(a)).isNull();
        assertThat(table.remove(a)).isNull();
        assertThat(table.replace(a, "again")).isFalse();
        assertThat(table.remove(b, "other")).isFalse();
        assertThat(table.remove(b, table.lookup(b))).isTrue();
        assertThat(table.size()).isZero();
    }

    @Test
    void churnAgainstReferenceMap() {
        IndexTable<Integer> table = new IndexTable<>(new Random(42));
        Map<Integer, Integer> ref = new HashMap<>();
        List<Integer> live = new ArrayList<>();
        Random rnd = new Random(43);
        for (int i = 0; i < 200_000; i++) {
            if (live.isEmpty() || rnd.nextInt(3) > 0 && live.size() < 3000) {
                int idx = table.register(i);
                assertThat(ref.put(idx, i)).isNull();
                live.add(idx);
            } else {
                int idx = live.remove(rnd.nextInt(live.size()));
                assertThat(table.remove(idx)).isEqualTo(ref.remove(idx));
            }
            if (i % 1000 == 0) {
                for (var e : ref.entrySet()) {
                    assertThat(table.lookup(e.getKey())).isEqualTo(e.getValue());
                }
                assertThat(table.lookup(rnd.nextInt())).isEqualTo(ref.get(-1)); // almost surely absent
            }
        }
        assertThat(table.size()).isEqualTo(ref.size());
    }

    @Test
    void concurrentReadersNeverSeeAnotherIndexValue() throws Exception {
        IndexTable<int[]> table = new IndexTable<>();
        int stable = table.register(new int[] {-7});
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(2);
        AtomicIntegerArray recent = new AtomicIntegerArray(64);
        // Each value remembers its own index; a reader must never get a value filed under a different index.
        Runnable reader = () -> {
            Random rnd = new Random();
            try {
                while (!stop.get()) {
                    int[] v = table.lookup(stable);
                    if (v == null || v[0] != -7) {
                        failure.set("stable entry lost");
                    }
                    int probe = recent.get(rnd.nextInt(recent.length()));
                    int[] w = table.lookup(probe);
                    if (w != null && w[0] != probe) {
                        failure.set("index " + probe + " returned value of " + w[0]);
                    }
                }
            } finally {
                done.countDown();
            }
        };
        Thread r1 = new Thread(reader);
        Thread r2 = new Thread(reader);
        r1.start();
        r2.start();
        List<Integer> live = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        for (int i = 0; i < 300_000 && System.nanoTime() < deadline; i++) {
            int[] holder = new int[1];
            int idx = table.register(holder);
            holder[0] = idx;
            recent.set(i & 63, idx); // published after holder[0], so readers see it set
            live.add(idx);
            if (live.size() > 500) {
                table.remove(live.remove(0));
            }
        }
        stop.set(true);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
        assertThat(table.size()).isEqualTo(live.size() + 1);
    }
}
