package dev.wgmesh.controller.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.support.TestAdmin;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

@IntegrationTest
class LoginRateLimitIntegrationTest {
    @LocalServerPort
    int port;

    @Autowired
    LoginThrottle throttle;

    @BeforeEach
    void forgetFailures() {
        throttle.reset();
    }

    @Test
    void fiveFailuresForAUsernameBlockEvenTheRightPasswordWith429AndRetryAfter() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        for (int i = 0; i < 5; i++) {
            assertThat(client.login(TestAdmin.USERNAME, "wrong-" + i).statusCode())
                    .isEqualTo(401);
        }
        HttpResponse<String> blocked = client.login(TestAdmin.USERNAME, TestAdmin.PASSWORD);
        assertThat(blocked.statusCode()).isEqualTo(429);
        long retryAfter =
                Long.parseLong(blocked.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 60L);
        assertThat(blocked.body()).contains("\"status\":429");
        assertThat(client.cookie("SESSION")).isEmpty();
    }

    @Test
    void fiveFailuresFromOneIpBlockOtherUsernamesFromIt() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        for (int i = 0; i < 5; i++) {
            assertThat(client.login("someone-" + i, "wrong-password").statusCode())
                    .isEqualTo(401);
        }
        assertThat(client.login(TestAdmin.USERNAME, TestAdmin.PASSWORD).statusCode())
                .isEqualTo(429);
    }

    @Test
    void fewerFailuresThanTheLimitDoNotBlock() {
        ApiTestClient client = ApiTestClient.anonymous(port);
        for (int i = 0; i < 4; i++) {
            assertThat(client.login(TestAdmin.USERNAME, "wrong-" + i).statusCode())
                    .isEqualTo(401);
        }
        assertThat(client.login(TestAdmin.USERNAME, TestAdmin.PASSWORD).statusCode())
                .isEqualTo(200);
    }
}
