package dev.wgmesh.controller.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.TestPropertySource;

/**
 * Nothing configured and no users: an admin with a generated password, printed once. The output capture starts
 * before this class's (unshared) context, so the start-up log is in it.
 */
@IntegrationTest
@TestPropertySource(properties = {"wgmesh.admin.username=", "wgmesh.admin.password="})
@ExtendWith(OutputCaptureExtension.class)
class FirstAdminGeneratedTest {
    /**
     * 24 URL-safe Base64 characters and no more. Not {@code \b}: a password ending in '-' (1 in 64) has no word
     * boundary before the line break, which made this test fail now and then.
     */
    private static final Pattern PASSWORD = Pattern.compile("password: ([A-Za-z0-9_-]{24})(?![A-Za-z0-9_-])");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void generatesAPasswordLogsItOnceAndItWorks(CapturedOutput output) {
        String log = output.getAll();
        assertThat(log).contains("WGMESH FIRST ADMIN");
        Matcher m = PASSWORD.matcher(log);
        assertThat(m.find()).as("generated password in log").isTrue();
        String password = m.group(1);
        assertThat(log.indexOf(password)).isEqualTo(log.lastIndexOf(password));

        assertThat(jdbc.queryForObject("SELECT count(*) FROM app_user", Long.class))
                .isEqualTo(1);
        var me = ApiTestClient.loggedIn(port, "admin", password).get("/api/v1/me");
        assertThat(me.body()).contains("\"name\":\"admin\"").contains("\"role\":\"ADMIN\"");
    }
}
