package dev.wgmesh.controller.dashboard;

import static dev.wgmesh.controller.support.Fixtures.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.agentapi.AgentGrpcServer;
import dev.wgmesh.controller.agentapi.SimulatedAgent;
import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.support.TestAdmin;
import dev.wgmesh.proto.v1.Ack;
import dev.wgmesh.proto.v1.AgentMessage;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The mesh pages against a real controller and two simulated agents over gRPC + TLS: create a mesh in the browser,
 * compute its plan, start a rollout with the wizard, watch it pause when one agent does not acknowledge (and show
 * up in the overview), resume it once the agent acknowledges, see it complete, roll it back, and check a viewer
 * sees no controls. Screenshots 11 to 17.
 */
@IntegrationTest
class MeshRolloutEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @LocalServerPort
    int port;

    @Autowired
    AgentGrpcServer grpc;

    @Test
    void planRolloutPauseResumeAndRollBack() throws Exception {
        ApiClient api = new ApiClient(port);
        Fixtures fx = new Fixtures(api);
        UUID net = fx.network("10.89.0.0/24", null);
        String siteA = Fixtures.unique("hq");
        String siteB = Fixtures.unique("branch");
        UUID a = site(api, net, siteA, "192.168.91.0/24");
        UUID b = site(api, net, siteB, "192.168.92.0/24");
        try (SimulatedAgent agentA = new SimulatedAgent("127.0.0.1", grpc.port(), "mesh-a");
                SimulatedAgent agentB = new SimulatedAgent("127.0.0.1", grpc.port(), "mesh-b");
                Browser browser = new Browser(port)) {
            agentA.enroll(SimulatedAgents.joinToken(api, net, a));
            agentB.enroll(SimulatedAgents.joinToken(api, net, b));
            agentA.connect();
            agentB.connect();
            agentA.await(c -> c.getPeersCount() == 1, WAIT);
            agentB.await(c -> c.getPeersCount() == 1, WAIT);

            browser.signIn(TestAdmin.USERNAME, TestAdmin.PASSWORD);
            browser.open("/meshes?network=" + net);
            browser.click("New mesh");
            browser.type(By.name("name"), "corp");
            for (String s : List.of(siteA, siteB)) {
                browser.visible(By.xpath("//label[normalize-space()='" + s + "']/input"))
                        .click();
            }
            browser.type(By.cssSelector("input[aria-label='Router endpoint of " + siteA + "']"), "127.0.0.1:51820");
            browser.type(By.cssSelector("input[aria-label='Router endpoint of " + siteB + "']"), "127.0.0.1:51821");
            browser.screenshot("11-mesh-form");
            browser.click("Create mesh");
            browser.visible(By.linkText("corp")).click();

            // The plan: both agents gain the link's preshared key and the members' endpoints.
            browser.click("Compute plan");
            WebElement changed = browser.visible(By.cssSelector("[data-testid=plan-changed]"));
            assertThat(changed.getText()).isEqualTo("2");
            assertThat(browser.driver.findElements(By.cssSelector("[data-testid=plan-agent]")))
                    .hasSize(2);
            browser.screenshot("12-mesh-plan");

            // The wizard: canary of one, then one more; acks only, a short gate so the stalled agent pauses it.
            agentB.ackEnabled(false);
            browser.click("Start rollout…");
            browser.click("Next");
            browser.type(By.name("canarySize"), "1");
            browser.type(By.name("waveSize"), "1");
            browser.type(By.name("gateTimeoutSeconds"), "3");
            WebElement gates = browser.visible(By.name("healthGates"));
            if (gates.isSelected()) gates.click();
            assertThat(browser.visible(By.cssSelector("[data-testid=wave-preview]"))
                            .getText())
                    .isEqualTo("2 waves: canary of 1, 1.");
            browser.screenshot("13-rollout-wizard");
            browser.click("Next");
            browser.click("Start rollout");

            WebElement rollout = browser.visible(By.cssSelector("[data-testid=rollout]"));
            browser.waiting().until(d -> "PAUSED".equals(rollout.getDomAttribute("data-state")));
            assertThat(browser.visible(By.cssSelector("[data-testid=rollout-summary]"))
                            .getText())
                    .contains("Paused:");
            assertThat(browser.driver.findElements(By.cssSelector("[data-testid=agent-step]")).stream()
                            .map(WebElement::getText))
                    .contains("failed");
            browser.visible(By.xpath("//*[@data-testid='rollout-history']//li[contains(., 'wave.gate-failed')]"));
            browser.screenshot("14-rollout-paused");
            String meshPage = browser.driver.getCurrentUrl();

            browser.open("/");
            browser.visible(By.xpath("//ul[@class='attention']//a[normalize-space()='Rollout of mesh corp ("
                    + networkName(api, net) + ")']"));
            browser.screenshot("15-overview-paused-rollout");

            // The stalled agent catches up and acknowledges what it runs; resume re-checks the wave.
            agentB.ackEnabled(true);
            agentB.send(AgentMessage.newBuilder()
                    .setAck(Ack.newBuilder()
                            .setRevision(agentB.revision())
                            .setSuccess(true)
                            .setConfigHash(agentB.hash()))
                    .build());
            browser.driver.get(meshPage);
            browser.click("Resume");
            WebElement resumed = browser.visible(By.cssSelector("[data-testid=rollout]"));
            browser.waiting().until(d -> "COMPLETED".equals(resumed.getDomAttribute("data-state")));
            assertThat(browser.driver.findElements(By.cssSelector("[data-testid=wave]")).stream()
                            .map(w -> w.getDomAttribute("data-status")))
                    .containsExactly("passed", "passed");
            browser.visible(By.xpath("//dd[contains(., 'rolled out: 1')]"));
            browser.screenshot("16-rollout-completed");

            browser.click("Roll back");
            browser.waiting().until(d -> {
                try {
                    d.switchTo().alert().accept();
                    return true;
                } catch (org.openqa.selenium.NoAlertPresentException e) {
                    return false;
                }
            });
            WebElement back = browser.visible(By.cssSelector("[data-testid=rollout]"));
            browser.waiting().until(d -> "ROLLED_BACK".equals(back.getDomAttribute("data-state")));
            browser.screenshot("17-rollout-rolled-back");
            assertThat(browser.errors(
                            m -> Browser.EXPECTED_FAILED_LOADS.matcher(m).matches()))
                    .isEmpty();

            // A viewer follows the rollouts but gets no plan, wizard or rollout controls.
            String viewer = Fixtures.unique("mesh-viewer");
            var created = ApiTestClient.loggedInAsAdmin(port)
                    .post(
                            "/api/v1/users",
                            "{\"username\":\"" + viewer
                                    + "\",\"password\":\"viewer-password-123\",\"role\":\"VIEWER\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            browser.click("Log out");
            browser.visible(By.name("username")); // the logout answered: nothing of the admin's session is in flight
            browser.signIn(viewer, "viewer-password-123");
            browser.driver.get(meshPage);
            WebElement seen = browser.visible(By.cssSelector("[data-testid=rollout]"));
            browser.waiting().until(d -> "ROLLED_BACK".equals(seen.getDomAttribute("data-state")));
            for (String control : List.of("Compute plan", "Start rollout…", "Resume", "Abort", "Roll back")) {
                assertThat(browser.present(By.xpath("//button[normalize-space()='" + control + "']")))
                        .as("viewer sees %s", control)
                        .isFalse();
            }
            browser.open("/meshes?network=" + net);
            browser.visible(By.linkText("corp"));
            assertThat(browser.present(By.xpath("//button[normalize-space()='New mesh']")))
                    .isFalse();
            browser.screenshot("18-viewer-meshes");
            assertThat(browser.errors(
                            m -> Browser.EXPECTED_FAILED_LOADS.matcher(m).matches()))
                    .isEmpty();
        }
    }

    private static UUID site(ApiClient api, UUID net, String name, String lan) {
        var r = api.post("/api/v1/networks/" + net + "/sites", map("name", name, "lanPrefixes", List.of(lan)));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.id();
    }

    private static String networkName(ApiClient api, UUID net) {
        return api.get("/api/v1/networks/" + net).json().get("name").asString();
    }
}
