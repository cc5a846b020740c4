package dev.wgmesh.controller.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A throwaway database on an already running PostgreSQL server (the CI machines run one on localhost:5432).
 *
 * <p>Environment: {@code WGMESH_TEST_PG_HOST} (localhost), {@code WGMESH_TEST_PG_PORT} (5432), {@code
 * WGMESH_TEST_PG_USER} (postgres), {@code WGMESH_TEST_PG_PASSWORD} (empty), {@code WGMESH_TEST_PG_ADMIN_DB}
 * (postgres: the database connected to for CREATE/DROP DATABASE).
 */
public final class LocalPostgres {
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String adminDb;
    private final String database;

    private LocalPostgres(String host, int port, String user, String password, String adminDb, String database) {
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.adminDb = adminDb;
        this.database = database;
    }

    public static LocalPostgres createFreshDatabase() {
        LocalPostgres db = new LocalPostgres(
                env("WGMESH_TEST_PG_HOST", "localhost"),
                Integer.parseInt(env("WGMESH_TEST_PG_PORT", "5432")),
                env("WGMESH_TEST_PG_USER", "postgres"),
                env("WGMESH_TEST_PG_PASSWORD", ""),
                env("WGMESH_TEST_PG_ADMIN_DB", "postgres"),
                "wgmesh_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        db.execAdmin("CREATE DATABASE " + db.database);
        return db;
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private void execAdmin(String sql) {
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + adminDb;
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException ex) {
            throw new IllegalStateException(
                    "Integration tests need a real PostgreSQL and found none: no Docker engine for Testcontainers, and "
                            + url + " as user '" + user + "' failed (" + ex.getMessage() + "). Start PostgreSQL "
                            + "(CI: .ci/run does) or set WGMESH_TEST_PG_HOST/PORT/USER/PASSWORD.",
                    ex);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String database() {
        return database;
    }

    /** Drops the database, closing any connection a pool left behind. */
    public void drop() {
        execAdmin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }
}
