package dev.wgmesh.controller.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A full controller on a random HTTP port and a random gRPC port, backed by real PostgreSQL.
 *
 * <p>The data directory (master key, CA) goes to a per-JVM temporary folder. The first admin is {@link TestAdmin};
 * {@link ApiTestClient#loggedInAsAdmin} gives a client with its session.
 *
 * <p>Shutdown is immediate, not graceful: the cached contexts are closed by the JVM's shutdown hook after the last
 * test, and a graceful shutdown waits up to 30 s for requests still in flight. The dashboard tests leave the
 * browser's server-sent-event stream open ({@code /api/v1/events}, completed only by its own timeout), so Surefire
 * waited the full 30 s and then killed the fork ("The exit has elapsed 30 seconds after System.exit(0)").
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "wgmesh.grpc.port=0",
            "server.shutdown=immediate",
            "wgmesh.data-dir=${java.io.tmpdir}/wgmesh-it",
            "wgmesh.admin.username=" + TestAdmin.USERNAME,
            "wgmesh.admin.password=" + TestAdmin.PASSWORD
        })
@Import(PostgresTestConfiguration.class)
public @interface IntegrationTest {}
