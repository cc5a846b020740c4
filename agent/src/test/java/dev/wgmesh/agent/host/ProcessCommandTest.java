package dev.wgmesh.agent.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandTest {
    private final ProcessCommand cmd = ProcessCommand.onHost(Duration.ofSeconds(5));

    @Test
    void returnsStandardOutput() throws Exception {
        assertThat(cmd.run(List.of("sh", "-c", "echo hello; echo noise >&2"))).isEqualTo("hello\n");
    }

    @Test
    void nonZeroExitCarriesCommandAndStandardError() {
        assertThatThrownBy(() -> cmd.run(List.of("sh", "-c", "echo 'RTNETLINK answers: File exists' >&2; exit 2")))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("sh -c")
                .hasMessageContaining("exited with status 2")
                .hasMessageContaining("RTNETLINK answers: File exists")
                .satisfies(ex -> assertThat(((CommandException) ex).exitCode()).isEqualTo(2));
    }

    @Test
    void overrunningCommandIsKilled() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> ProcessCommand.onHost(Duration.ofMillis(300)).run(List.of("sleep", "30")))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("timed out");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void missingProgramIsAClearError() {
        assertThatThrownBy(() -> cmd.run(List.of("/nonexistent/wgmesh-tool")))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("could not start");
    }

    @Test
    void namespaceNamesAreChecked() {
        assertThatThrownBy(() -> ProcessCommand.inNamespace("bad name; rm", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
