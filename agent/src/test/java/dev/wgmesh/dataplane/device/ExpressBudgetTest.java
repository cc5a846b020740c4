package dev.wgmesh.dataplane.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExpressBudgetTest {
    private static final long WINDOW = 1L << 20;

    @Test
    void grantsTheBudgetOncePerWindow() {
        ExpressBudget budget = new ExpressBudget();
        long start = 7 * WINDOW;
        for (int i = 0; i < ExpressBudget.PER_WINDOW; i++) {
            assertThat(budget.take(start + i)).as("packet %d of the window", i).isTrue();
        }
        assertThat(budget.take(start + WINDOW - 1))
                .as("spent until the window ends")
                .isFalse();
        assertThat(budget.take(start + WINDOW)).as("the next window").isTrue();
        for (int i = 1; i < ExpressBudget.PER_WINDOW; i++) {
            assertThat(budget.take(start + WINDOW + i)).isTrue();
        }
        assertThat(budget.take(start + WINDOW + 500)).isFalse();
    }

    @Test
    void aFlowIsSparseUntilItSendsPerFlowPacketsInAWindowAndStaysBulkWhileItKeepsThatRate() {
        ExpressBudget budget = new ExpressBudget();
        long t = 3 * WINDOW;
        int bulk = 17;
        int ping = 18;
        for (int i = 0; i < ExpressBudget.PER_FLOW; i++) {
            assertThat(budget.takeSparse(t + i, bulk))
                    .as("packet %d of the window", i)
                    .isTrue();
        }
        assertThat(budget.takeSparse(t + 100, bulk))
                .as("past its share of the window")
                .isFalse();
        assertThat(budget.takeSparse(t + 101, ping))
                .as("another flow still is sparse")
                .isTrue();
        for (int i = 0; i < ExpressBudget.PER_FLOW; i++) {
            assertThat(budget.takeSparse(t + WINDOW + i, bulk))
                    .as("busy in the window before")
                    .isFalse();
        }
        assertThat(budget.takeSparse(t + 2 * WINDOW, bulk))
                .as("still at that rate")
                .isFalse();
        assertThat(budget.takeSparse(t + 4 * WINDOW, bulk))
                .as("quiet for a whole window: sparse again")
                .isTrue();
        assertThat(budget.takeSparse(t + 4 * WINDOW + 1, ping + 256))
                .as("same slot, counted as one")
                .isTrue();
    }

    @Test
    void sparseFlowsShareTheWindowsBudget() {
        ExpressBudget budget = new ExpressBudget();
        long t = 9 * WINDOW;
        for (int flow = 0; flow < ExpressBudget.PER_WINDOW; flow++) {
            assertThat(budget.takeSparse(t + flow, flow)).isTrue();
        }
        assertThat(budget.takeSparse(t + 500, ExpressBudget.PER_WINDOW))
                .as("budget spent")
                .isFalse();
        assertThat(budget.take(t + 501)).isFalse();
    }

    @Test
    void worksAcrossNegativeClockValues() {
        ExpressBudget budget = new ExpressBudget(); // System.nanoTime may be negative
        assertThat(budget.take(-3 * WINDOW)).isTrue();
        assertThat(budget.take(-2 * WINDOW - 1)).as("same window: one taken").isTrue();
        assertThat(budget.take(-WINDOW)).isTrue();
    }
}
