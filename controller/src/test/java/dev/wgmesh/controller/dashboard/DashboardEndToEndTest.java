package dev.wgmesh.controller.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wgmesh.controller.support.ApiClient;
import dev.wgmesh.controller.support.ApiTestClient;
import dev.wgmesh.controller.support.Fixtures;
import dev.wgmesh.controller.support.IntegrationTest;
import dev.wgmesh.controller.support.TestAdmin;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The dashboard bundle served by a real controller (PostgreSQL, random port), driven by headless Chromium: the
 * operator's main paths, a viewer's read-only view, and no unexpected errors in the browser console.
 *
 * <p>Steps run in order and share one browser; each leaves a screenshot in {@code target/screenshots}.
 */
@IntegrationTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardEndToEndTest {
    @LocalServerPort
    int port;

    private Browser browser;
    private final List<String> consoleErrors = new ArrayList<>();
    private String networkName;
    private UUID networkId;

    @BeforeAll
    void startBrowser() throws Exception {
        browser = new Browser(port);
    }

    @AfterAll
    void stopBrowser() throws Exception {
        if (browser != null) browser.close();
    }

    private void collectConsole() {
        consoleErrors.addAll(
                browser.errors(m -> Browser.EXPECTED_FAILED_LOADS.matcher(m).matches()));
    }

    @Test
    @Order(1)
    void loginShowsErrorsThenSignsIn() throws Exception {
        browser.open("/");
        browser.type(By.name("username"), TestAdmin.USERNAME);
        browser.type(By.name("password"), "wrong-password");
        browser.click("Sign in");
        browser.text("Invalid username or password.");
        browser.screenshot("01-login-error");

        browser.type(By.name("password"), TestAdmin.PASSWORD);
        browser.click("Sign in");
        WebElement who = browser.visible(By.cssSelector("[data-testid=who]"));
        assertThat(who.getText()).contains(TestAdmin.USERNAME).contains("ADMIN");
        browser.text("Overview");
        collectConsole();
    }

    @Test
    @Order(2)
    void createsANetworkAfterAFieldError() throws Exception {
        browser.open("/networks");
        browser.click("New network");
        networkName = Fixtures.unique("e2e");
        browser.type(By.name("name"), networkName);
        browser.type(By.name("ipv4Prefix"), "10.77.0.0/31");
        browser.click("Create network");
        WebElement prefix = browser.visible(By.name("ipv4Prefix"));
        browser.waiting().until(d -> "true".equals(prefix.getDomAttribute("aria-invalid")));
        String errorId = prefix.getDomAttribute("aria-describedby").split(" ")[0];
        assertThat(browser.driver.findElement(By.id(errorId)).getText()).isNotBlank();
        browser.screenshot("02-network-field-error");

        browser.type(By.name("ipv4Prefix"), "10.77.0.0/16");
        browser.click("Create network");
        browser.visible(By.linkText(networkName)).click();
        browser.waiting().until(ExpectedConditions.urlMatches("#/networks/[0-9a-f-]{36}$"));
        String url = browser.driver.getCurrentUrl();
        networkId = UUID.fromString(url.substring(url.lastIndexOf('/') + 1));
        collectConsole();
    }

    @Test
    @Order(3)
    void createsASite() throws Exception {
        browser.click("New site");
        browser.type(By.name("name"), "office");
        browser.type(By.name("lanPrefixes"), "192.168.77.0/24");
        browser.click("Create site");
        browser.text("192.168.77.0/24");
        collectConsole();
    }

    @Test
    @Order(4)
    void addsADevicePeerAndShowsItsQrCode() throws Exception {
        browser.click("Add device peer");
        browser.type(By.name("name"), "phone");
        browser.click("Add device");
        WebElement qr = browser.visible(By.cssSelector("[role=dialog] img.qr"));
        browser.waiting()
                .until(d -> Boolean.TRUE.equals(browser.driver.executeScript(
                        "return arguments[0].complete && arguments[0].naturalWidth > 0", qr)));
        assertThat(browser.driver
                        .findElement(By.partialLinkText("Download phone.conf"))
                        .getDomAttribute("href"))
                .endsWith("/config");
        browser.screenshot("03-device-qr");
        browser.click("×");
        browser.visible(By.linkText("phone"));
        browser.screenshot("04-network-detail");
        collectConsole();
    }

    @Test
    @Order(5)
    void showsTheTopology() throws Exception {
        ApiClient api = new ApiClient(port);
        Fixtures fixtures = new Fixtures(api);
        UUID site = fixtures.site(networkId, "192.168.78.0/24");
        fixtures.agent(networkId, site, "127.0.0.1:51820", randomKey());
        fixtures.agent(networkId, site, "127.0.0.1:51821", randomKey());

        browser.open("/topology?network=" + networkId);
        browser.visible(By.cssSelector("[data-testid=topology] canvas"));
        // Two agents: one agent-agent link; the device reaches both agents.
        browser.waiting()
                .until(d -> d.findElements(By.cssSelector("table caption + thead + tbody tr"))
                                .size()
                        == 3);
        browser.screenshot("05-topology");
        collectConsole();
    }

    @Test
    @Order(6)
    void overviewCountsWhatExists() throws Exception {
        browser.open("/");
        WebElement count = browser.visible(By.cssSelector("[data-testid=count-networks]"));
        assertThat(Integer.parseInt(count.getText())).isGreaterThanOrEqualTo(1);
        browser.visible(By.linkText(networkName));
        browser.screenshot("06-overview");
        browser.open("/audit");
        browser.visible(By.xpath("//td[normalize-space()='" + TestAdmin.USERNAME + "']"));
        browser.screenshot("07-audit");
        collectConsole();
    }

    @Test
    @Order(7)
    void anEditRacingAnotherWriterSaysSoAndReloads() throws Exception {
        ApiClient api = new ApiClient(port);
        String sitePath = null;
        for (var site :
                api.get("/api/v1/networks/" + networkId + "/sites").json().get("items")) {
            if (site.get("name").asString().equals("office")) {
                sitePath = "/api/v1/networks/" + networkId + "/sites/"
                        + site.get("id").asString();
            }
        }
        assertThat(sitePath).isNotNull();
        browser.open("/networks/" + networkId);
        browser.waiting()
                .until(ExpectedConditions.elementToBeClickable(By.cssSelector("button[aria-label='Edit site office']")))
                .click();
        WebElement name = browser.visible(By.cssSelector("[role=dialog] input[name=name]"));
        assertThat(name.getDomProperty("value")).isEqualTo("office");
        // Someone else renames the site while the dialog is open.
        var other = api.put(
                sitePath, Fixtures.map("name", "office-hq", "lanPrefixes", List.of("192.168.77.0/24")), Map.of());
        assertThat(other.status()).as(other.toString()).isEqualTo(200);

        browser.type(By.cssSelector("[role=dialog] input[name=name]"), "office-mine");
        browser.click("Save site");
        browser.visible(By.xpath("//*[@role='dialog']//*[@role='alert'][contains(., 'changed by someone else')]"));
        browser.screenshot("10-stale-edit");
        assertThat(api.get(sitePath).json().get("name").asString()).isEqualTo("office-hq");

        browser.click("Reload current version");
        browser.waiting().until(d -> "office-hq"
                .equals(browser.visible(By.cssSelector("[role=dialog] input[name=name]"))
                        .getDomProperty("value")));
        browser.type(By.cssSelector("[role=dialog] input[name=name]"), "office");
        browser.click("Save site");
        browser.text("Site office saved.");
        assertThat(api.get(sitePath).json().get("name").asString()).isEqualTo("office");
        collectConsole();
    }

    @Test
    @Order(8)
    void fitsAPhoneScreen() throws Exception {
        browser.driver.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.open("/");
            browser.visible(By.cssSelector("[data-testid=count-networks]"));
            assertThat(pageOverflowsSideways()).as("overview scrolls sideways").isFalse();
            browser.screenshot("19-phone-overview");
            browser.open("/networks/" + networkId);
            browser.visible(By.linkText("phone"));
            assertThat(pageOverflowsSideways())
                    .as("network page scrolls sideways")
                    .isFalse();
            browser.screenshot("20-phone-network");
        } finally {
            browser.driver.manage().window().setSize(new Dimension(1366, 900));
        }
        collectConsole();
    }

    /** Wide tables scroll inside their own box; the page itself must not. */
    private boolean pageOverflowsSideways() {
        return Boolean.TRUE.equals(browser.driver.executeScript(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"));
    }

    @Test
    @Order(20)
    void viewerCannotEdit() throws Exception {
        String viewer = Fixtures.unique("viewer");
        var admin = ApiTestClient.loggedInAsAdmin(port);
        var created = admin.post(
                "/api/v1/users",
                "{\"username\":\"" + viewer + "\",\"password\":\"viewer-password-123\",\"role\":\"VIEWER\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

        browser.click("Log out");
        browser.type(By.name("username"), viewer);
        browser.type(By.name("password"), "viewer-password-123");
        browser.click("Sign in");
        assertThat(browser.visible(By.cssSelector("[data-testid=who]")).getText())
                .contains("VIEWER");

        browser.open("/networks");
        browser.visible(By.linkText(networkName)).click();
        browser.visible(By.linkText("phone"));
        for (String control :
                List.of("New site", "Add device peer", "Add agent peer", "New enrolment key", "Edit", "Delete")) {
            assertThat(browser.present(By.xpath("//button[normalize-space()='" + control + "']")))
                    .as("viewer sees %s", control)
                    .isFalse();
        }
        browser.screenshot("08-viewer-network");
        browser.open("/networks");
        browser.visible(By.linkText(networkName));
        assertThat(browser.present(By.xpath("//button[normalize-space()='New network']")))
                .isFalse();
        assertThat(browser.present(By.linkText("API tokens"))).isFalse();
        collectConsole();
    }

    @Test
    @Order(99)
    void browserLoggedNoErrors() {
        collectConsole();
        assertThat(consoleErrors).isEmpty();
    }

    private static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }
}
