package dev.wgmesh.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentOptionsTest {
    @TempDir
    Path tmp;

    @Test
    void flagsWithDefaults() throws Exception {
        AgentOptions o = AgentOptions.parse(List.of("--controller", "ctl.example:9090", "--enrol-key=abc"));
        assertThat(o.controller()).isEqualTo("ctl.example:9090");
        assertThat(o.enrolKey()).isEqualTo("abc");
        assertThat(o.interfaceName()).isEqualTo("wgm0");
        assertThat(o.statsInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.toString()).doesNotContain("abc");
    }

    @Test
    void configFileWithFlagsWinning() throws Exception {
        Path f = tmp.resolve("agent.conf");
        Files.writeString(f, "controller=10.0.0.1:9090\ninterface=wgx\nstats-interval=500ms\n");
        AgentOptions o = AgentOptions.parse(List.of("--config", f.toString(), "--interface", "wgy"));
        assertThat(o.controller()).isEqualTo("10.0.0.1:9090");
        assertThat(o.interfaceName()).isEqualTo("wgy");
        assertThat(o.statsInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void clearErrors() {
        assertThatThrownBy(() -> AgentOptions.parse(List.of())).hasMessageContaining("--controller");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "nohost")))
                .hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:70000")))
                .hasMessageContaining("1-65535");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:1", "--bogus", "x")))
                .hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:1", "--interface", "x/y")))
                .hasMessageContaining("--interface");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:1", "--stats-interval", "soon")))
                .hasMessageContaining("--stats-interval");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller"))).hasMessageContaining("needs a value");
    }

    @Test
    void probePortAndMetricsListen() throws Exception {
        AgentOptions d = AgentOptions.parse(List.of("--controller", "h:1"));
        assertThat(d.probePort()).isEqualTo(AgentOptions.DEFAULT_PROBE_PORT);
        assertThat(d.metricsListen()).isNull();
        AgentOptions o = AgentOptions.parse(
                List.of("--controller", "h:1", "--probe-port", "40000", "--metrics-listen", "[::1]:9586"));
        assertThat(o.probePort()).isEqualTo(40000);
        assertThat(o.metricsListen()).isEqualTo("[::1]:9586");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:1", "--probe-port", "0")))
                .hasMessageContaining("--probe-port");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:1", "--probe-port", "x")))
                .hasMessageContaining("--probe-port");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--controller", "h:1", "--metrics-listen", "metrics:9586")))
                .hasMessageContaining("--metrics-listen");
    }

    @Test
    void unknownKeyInFileIsRejected() throws Exception {
        Path f = tmp.resolve("agent.conf");
        Files.writeString(f, "controller=h:1\ncontroler=typo:1\n");
        assertThatThrownBy(() -> AgentOptions.parse(List.of("--config", f.toString())))
                .hasMessageContaining("unknown setting 'controler'");
    }
}
