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
        for (int workers : new int[] {1, 2}) {
            CryptoBudgetSimulation.Result fixed = sim(workers, 10).run("fixed", new FixedBudget(1000 * 1452));
            CryptoBudgetSimulation.Result dql = sim(workers, 10).run("dql", DqlBudget.linux(1452, 4 << 20));
            CryptoBudgetSimulation.Result shortHold = sim(workers, 10).run("short", DqlBudget.shortHold(1452, 4 << 20));
            CryptoBudgetSimulation.Result codel = sim(workers, 10).run("codel", new CodelWaitBudget(1452, 4 << 20));
            for (CryptoBudgetSimulation.Result r : new CryptoBudgetSimulation.Result[] {dql, shortHold, codel}) {
                assertThat(r.utilisation())
                        .as("%s, %d workers", r.name(), workers)
                        .isGreaterThan(0.97);
                assertThat(r.p99Nanos()).as("%s, %d workers", r.name(), workers).isLessThan(fixed.p99Nanos() / 5);
            }
        }
    }

    /** With a slow completion hand-off DQL over-grows; only a short slack hold brings it back in time. */
    @Test
    void shortHoldRecoversFromOvergrowthWhereLinuxHoldDoesNot() {
        CryptoBudgetSimulation.Result linux = sim(2, 100).run("dql", DqlBudget.linux(1452, 4 << 20));
        CryptoBudgetSimulation.Result shortHold = sim(2, 100).run("short", DqlBudget.shortHold(1452, 4 << 20));
        assertThat(shortHold.utilisation()).isGreaterThan(0.97);
        assertThat(shortHold.p99Nanos()).isLessThan(linux.p99Nanos() / 2);
        assertThat(shortHold.meanLimit()).isLessThan(linux.meanLimit());
    }

    private static CryptoBudgetSimulation sim(int workers, long handoffMicros) {
        return new CryptoBudgetSimulation(workers, 0.8, 900 * MS, handoffMicros * 1000, 7);
    }
}
