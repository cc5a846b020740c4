package dev.wgmesh.controller;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs on the build machines, so the compose file is checked statically: its services, ports and
 * environment must agree with the application's own configuration.
 */
@SuppressWarnings("unchecked")
class DockerComposeConsistencyTest {
    private static final Path COMPOSE = Path.of("..", "docker-compose.yml");

    private static Map<String, Object> load(InputStream in) {
        return new Yaml().load(in);
    }

    private final Map<String, Object> compose;
    private final Map<String, Object> services;
    private final Map<String, Object> appConfig;

    DockerComposeConsistencyTest() throws IOException {
        try (InputStream in = Files.newInputStream(COMPOSE)) {
            compose = load(in);
        }
        services = (Map<String, Object>) compose.get("services");
        try (InputStream in = getClass().getResourceAsStream("/application.yml")) {
            appConfig = load(in);
        }
    }

    private Map<String, Object> service(String name) {
        assertThat(services).containsKey(name);
        return (Map<String, Object>) services.get(name);
    }

    private static Object at(Map<String, Object> map, String dottedPath) {
        Object cur = map;
        for (String key : dottedPath.split("\\.")) {
            cur = ((Map<String, Object>) cur).get(key);
        }
        return cur;
    }

    /** The default in a {@code ${ENV:default}} placeholder, as Spring resolves it when ENV is unset. */
    private static String placeholder(Object value, String expectedEnv) {
        Matcher m = Pattern.compile("\\$\\{(\\w+):([^}]*)}").matcher(String.valueOf(value));
        assertThat(m.matches()).as("%s is a ${ENV:default} placeholder", value).isTrue();
        assertThat(m.group(1)).isEqualTo(expectedEnv);
        return m.group(2);
    }

    @Test
    void controllerTalksToTheComposePostgres() {
        Map<String, Object> pgEnv = (Map<String, Object>) service("postgres").get("environment");
        Map<String, Object> env = (Map<String, Object>) service("controller").get("environment");
        assertThat(env.get("SPRING_DATASOURCE_URL"))
                .isEqualTo("jdbc:postgresql://postgres:5432/" + pgEnv.get("POSTGRES_DB"));
        assertThat(env.get("SPRING_DATASOURCE_USERNAME")).isEqualTo(pgEnv.get("POSTGRES_USER"));
        assertThat(env.get("SPRING_DATASOURCE_PASSWORD")).isEqualTo(pgEnv.get("POSTGRES_PASSWORD"));
        Map<String, Object> dependsOn =
                (Map<String, Object>) service("controller").get("depends_on");
        assertThat(at(dependsOn, "postgres.condition")).isEqualTo("service_healthy");
    }

    @Test
    void publishedPortsMatchTheApplicationPorts() {
        Map<String, Object> env = (Map<String, Object>) service("controller").get("environment");
        String httpPort = String.valueOf(env.getOrDefault("PORT", placeholder(at(appConfig, "server.port"), "PORT")));
        String grpcPort = String.valueOf(env.getOrDefault(
                "WGMESH_GRPC_PORT", placeholder(at(appConfig, "wgmesh.grpc.port"), "WGMESH_GRPC_PORT")));
        assertThat(placeholder(at(appConfig, "server.port"), "PORT")).isEqualTo("8080");
        List<String> ports = (List<String>) service("controller").get("ports");
        assertThat(ports).contains(httpPort + ":" + httpPort, grpcPort + ":" + grpcPort);
        String healthcheck = String.join(" ", (List<String>) at(service("controller"), "healthcheck.test"));
        assertThat(healthcheck).contains("localhost:" + httpPort + "/actuator/health");
    }

    @Test
    void dataDirectoryIsAVolumeAndEnvNamesAreTheOnesTheAppReads() {
        Map<String, Object> env = (Map<String, Object>) service("controller").get("environment");
        placeholder(at(appConfig, "wgmesh.data-dir"), "WGMESH_DATA_DIR");
        List<String> volumes = (List<String>) service("controller").get("volumes");
        assertThat(volumes).anyMatch(v -> v.endsWith(":" + env.get("WGMESH_DATA_DIR")));
        assertThat((Map<String, Object>) compose.get("volumes")).containsKeys("postgres-data", "controller-data");
    }

    @Test
    void everyServiceHasAHealthCheck() {
        services.forEach(
                (name, svc) -> assertThat((Map<String, Object>) svc).as(name).containsKey("healthcheck"));
    }

    @Test
    void agentsRunAgainstTheComposeControllerWithTunAndNetAdmin() throws IOException {
        String grpcPort = String.valueOf(
                ((Map<String, Object>) service("controller").get("environment")).get("WGMESH_GRPC_PORT"));
        List<String> agents =
                services.keySet().stream().filter(n -> n.startsWith("agent")).toList();
        assertThat(agents).isNotEmpty();
        for (String name : agents) {
            Map<String, Object> agent = service(name);
            assertThat(at(agent, "build.dockerfile")).as(name).isEqualTo("Dockerfile.agent");
            assertThat((List<String>) agent.get("cap_add")).as(name).contains("NET_ADMIN");
            assertThat((List<String>) agent.get("devices")).as(name).contains("/dev/net/tun:/dev/net/tun");
            assertThat(at(agent, "depends_on.controller.condition")).as(name).isEqualTo("service_healthy");
            List<String> command = (List<String>) agent.get("command");
            assertThat(command.getFirst()).isEqualTo("run");
            assertThat(String.join(" ", command))
                    .as(name)
                    .contains("--controller controller:" + grpcPort, "--enrol-key ${WGMESH_ENROL_KEY}");
            String ifname = command.get(command.indexOf("--interface") + 1);
            assertThat((List<String>) at(agent, "healthcheck.test")).as(name).contains(ifname);
        }
        assertThat(Files.readString(Path.of("..", "Dockerfile.agent"))).contains("dev.wgmesh.agent.AgentMain");
    }
}
