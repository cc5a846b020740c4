package dev.wgmesh.controller.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven by its chromedriver, with a fresh profile per instance; keeps the browser log so
 * a test can assert the page logged no errors, and saves screenshots under {@code target/screenshots}.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    /**
     * Failed requests the UI makes on purpose; Chromium logs every non-2xx load as an error. The first /me tells the
     * app nobody is logged in; a wrong password is 401; the deliberately invalid network of step 2 is 400; the edit
     * that races another writer is 412. ERR_NETWORK_CHANGED is the host, not the page: Chromium aborts loads in
     * flight when an interface appears or goes, which tests creating network namespaces on this machine cause.
     */
    static final Pattern EXPECTED_FAILED_LOADS = Pattern.compile(".*((/api/v1/me |/api/v1/auth/login ).*status of 401"
            + "|/api/v1/networks - .*status of 400"
            + "|/sites/[0-9a-f-]{36} - .*status of 412"
            + "|Failed to load resource: net::ERR_NETWORK_CHANGED).*");

    final ChromeDriver driver;
    private final Path profile;
    private final String base;

    Browser(int port) throws IOException {
        this.base = "http://localhost:" + port;
        this.profile = Files.createTempDirectory("wgmesh-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1366, 900));
    }

    void open(String hashPath) {
        driver.get(base + "/#" + hashPath);
    }

    /** Opens the app, signs in and waits for the header to name the user. */
    void signIn(String username, String password) {
        open("/");
        type(By.name("username"), username);
        type(By.name("password"), password);
        click("Sign in");
        visible(By.cssSelector("[data-testid=who]"));
    }

    WebDriverWait waiting() {
        return new WebDriverWait(driver, Duration.ofSeconds(20));
    }

    WebElement visible(By by) {
        return waiting().until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    WebElement button(String text) {
        return waiting()
                .until(ExpectedConditions.elementToBeClickable(By.xpath(
                        "//button[normalize-space()='" + text + "'] | //a[normalize-space()='" + text + "']")));
    }

    void click(String text) {
        button(text).click();
    }

    WebElement text(String text) {
        return visible(By.xpath("//*[normalize-space(text())='" + text + "']"));
    }

    void type(By by, String value) {
        WebElement e = visible(by);
        e.clear();
        e.sendKeys(value);
    }

    boolean present(By by) {
        return !driver.findElements(by).isEmpty();
    }

    void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Browser log entries at SEVERE, minus the ones {@code expected} accepts; reading drains the log. */
    List<String> errors(Predicate<String> expected) {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(expected.negate())
                .toList();
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
