package dev.wgmesh.dataplane.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wgmesh.bench.CryptoBudgetSimulation;
import org.junit.jupiter.api.Test;

class CryptoBudgetTest {
    private static final long MS = 1_000_000L;

    /** Dispatch like the pipeline does: while positive, in 1000-byte objects. */
    private static long fill(CryptoBudget b, long now) {
        long sent = 0;
        while (b.available(now) > 0) {
            b.onDispatched(1000, now);
            sent += 1000;
        }
        return sent;
    }

    @Test
    void dqlGrowsWhenTheConsumerStarves() {
        DqlBudget dql = DqlBudget.linux(1000, 1 << 20);
        long now = 0;
        long before = dql.limit();
        for (int round = 0; round < 10; round++) {
            long sent = fill(dql, now);
            now += MS;
            dql.onCompleted(sent, 0, 0, now); // everything done at once: the consumer ran dry each time
        }
        assertThat(dql.limit()).isGreaterThan(8 * before);
    }

    @Test
    void dqlShrinksBySlackOnlyAfterTheHoldTime() {
        DqlBudget dql = new DqlBudget(1000, 1 << 20, 50 * MS);
        long now = 0;
        for (int round = 0; round < 12; round++) { // grow to a large limit first
            long sent = fill(dql, now);
            now += MS;
            dql.onCompleted(sent, 0, 0, now);
        }
        long grown = dql.limit();
        // Now the consumer completes only 2000 bytes a step while the queue stays full: plenty of slack.
        fill(dql, now);
        long shrunkAt = -1;
        for (int step = 0; step < 200 && shrunkAt < 0; step++) {
            now += MS;
            dql.onCompleted(2000, 0, 0, now);
            fill(dql, now);
            if (dql.limit() < grown) {
                shrunkAt = step;
            }
        }
        assertThat(shrunkAt).isBetween(49L, 52L); // held for 50 ms, then dropped by the lowest slack
        assertThat(dql.limit()).isLessThan(grown / 2);
    }

    @Test
    void codelWaitShrinksAfterAnIntervalAboveTargetAndGrowsWhenWorkersWaitForWork() {
        CodelWaitBudget b = new CodelWaitBudget(1000, 1 << 20, 200_000, 5 * MS);
        long now = 0;
        fill(b, now);
        for (int i = 0; i < 20; i++) { // batches taken by idle workers while the scheduler is held back: grow
            now += 10_000;
            b.onCompleted(1000, 0, 5_000, now);
            fill(b, now);
        }
        long grown = b.limit();
        assertThat(grown).isGreaterThanOrEqualTo(20_000);
        for (int i = 0; i < 40; i++) { // 400 µs waits for 4 ms: still inside the interval, no change
            now += 100_000;
            b.onCompleted(1000, 400_000, 0, now);
            b.onDispatched(1000, now);
        }
        assertThat(b.limit()).isEqualTo(grown);
        for (int i = 0; i < 200; i++) { // the wait stays high: shrink, faster and faster
            now += 100_000;
            b.onCompleted(1000, 400_000, 0, now);
            b.onDispatched(1000, now);
        }
        assertThat(b.limit()).isLessThan(grown / 2);
    }

    @Test
    void completingMoreThanDispatchedIsALocalFault() {
        assertThatThrownBy(() -> DqlBudget.linux(1000, 2000).onCompleted(1, 0, 0, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new CodelWaitBudget(1000, 2000).onCompleted(1, 0, 0, 0))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new DqlBudget(0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The comparison the design asks for, on a shortened simulation; the benchmark prints the full table. */
    @Test
    void adaptiveBudgetsCutStandingLatencyWithoutLosingThroughput() {
        CryptoBudgetSimulation.Result fixed1 = sim(1).run("fixed", new FixedBudget(1000 * 1452));
        CryptoBudgetSimulation.Result dql1 = sim(1).run("dql", DqlBudget.linux(1452, 4 << 20));
        CryptoBudgetSimulation.Result codel1 = sim(1).run("codel", new CodelWaitBudget(1452, 4 << 20));
        assertThat(dql1.utilisation()).isGreaterThan(0.97);
        assertThat(codel1.utilisation()).isGreaterThan(0.97);
        assertThat(dql1.p99Nanos()).isLessThan(fixed1.p99Nanos() / 10);
        assertThat(codel1.p99Nanos()).isLessThan(fixed1.p99Nanos() / 5);

        // Two workers: DQL only sees starvation when everything drained, so it undersizes the limit.
        CryptoBudgetSimulation.Result fixed2 = sim(2).run("fixed", new FixedBudget(1000 * 1452));
        CryptoBudgetSimulation.Result dql2 = sim(2).run("dql", DqlBudget.shortHold(1452, 4 << 20));
        CryptoBudgetSimulation.Result codel2 = sim(2).run("codel", new CodelWaitBudget(1452, 4 << 20));
        assertThat(codel2.utilisation()).isGreaterThan(0.97);
        assertThat(codel2.p99Nanos()).isLessThan(fixed2.p99Nanos() / 4);
        assertThat(dql2.utilisation()).isLessThan(0.9);
    }

    private static CryptoBudgetSimulation sim(int workers) {
        return new CryptoBudgetSimulation(workers, 0.8, 900 * MS, 10_000, 7);
    }
}
