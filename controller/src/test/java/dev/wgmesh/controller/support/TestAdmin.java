package dev.wgmesh.controller.support;

/** The first admin every {@link IntegrationTest} context creates at start-up (wgmesh.admin.*). */
public final class TestAdmin {
    public static final String USERNAME = "admin";
    public static final String PASSWORD = "integration-test-admin-password";

    private TestAdmin() {}
}
