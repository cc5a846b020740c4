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
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "wgmesh.grpc.port=0",
            "wgmesh.data-dir=${java.io.tmpdir}/wgmesh-it",
            "wgmesh.admin.username=" + TestAdmin.USERNAME,
            "wgmesh.admin.password=" + TestAdmin.PASSWORD
        })
@Import(PostgresTestConfiguration.class)
public @interface IntegrationTest {}
