package dev.wgmesh.controller.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Real PostgreSQL for integration tests: import this into a {@code @SpringBootTest}.
 *
 * <ul>
 *   <li>With a Docker engine: a Testcontainers PostgreSQL, wired through {@code @ServiceConnection}.
 *   <li>Without one (the build machines): a fresh database on the local server ({@link LocalPostgres}), dropped
 *       when the context closes, so runs never see each other's data.
 *   <li>With neither: the context fails to start with one message naming both options. Never skipped.
 * </ul>
 */
@TestConfiguration(proxyBeanMethods = false)
public class PostgresTestConfiguration {

    @Bean
    @ServiceConnection
    @Conditional(DockerAvailable.class)
    PostgreSQLContainer postgresContainer() {
        return new PostgreSQLContainer("postgres:17-alpine");
    }

    @Bean(destroyMethod = "drop")
    @Conditional(DockerAvailable.Not.class)
    LocalPostgres localPostgres() {
        return LocalPostgres.createFreshDatabase();
    }

    @Bean
    @Conditional(DockerAvailable.Not.class)
    DynamicPropertyRegistrar localPostgresProperties(LocalPostgres db) {
        return registry -> {
            registry.add("spring.datasource.url", db::jdbcUrl);
            registry.add("spring.datasource.username", db::user);
            registry.add("spring.datasource.password", db::password);
        };
    }
}
