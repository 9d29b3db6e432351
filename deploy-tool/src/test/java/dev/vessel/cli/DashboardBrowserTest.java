package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.ViewerToken;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; {@code .ci/run}
 * installs them), against a two-node cluster running the demo and its own quorum: the page shows the demo's
 * three versions, a deploy made with the CLI appears without a reload, the rollback and promote buttons change the
 * desired state after a confirmation, and with the viewer token the buttons cannot be pressed and the node refuses
 * the change they would make.
 */
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("vessel.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("vessel.chromedriver",
            "/usr/bin/chromedriver"));
    private static final Duration PAGE = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;
    private static LocalCluster cluster;
    private static String server;
    private static Path tokenFile;
    private static Path readerSecret;
    private static WebDriver browser;

    private static boolean browserInstalled() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    /**
     * Per test, not in {@code @BeforeAll}: an assumption that fails there makes Surefire report "Tests run: 0"
     * instead of each test skipped with the reason.
     */
    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(browserInstalled(), "SKIPPED: the dashboard's browser test needs " + CHROMIUM
                + " and " + CHROMEDRIVER + " (Debian packages chromium and chromium-driver; .ci/run installs them"
                + " with apt-get)");
    }

    @BeforeAll
    static void start() throws Exception {
        if (!browserInstalled()) {
            return;
        }
        cluster = LocalCluster.start(new LocalCluster.Settings(home, 2, 0, CliRunner.freePorts(2), "127.0.0.1", true,
                CliRunner.QUORUM_TOKEN));
        server = cluster.nodes().get(0).url().toString();
        tokenFile = Files.writeString(home.resolve("token"), CliRunner.QUORUM_TOKEN);
        readerSecret = Files.writeString(home.resolve("reader-secret"),
                dev.vessel.registry.RegistryCredentials.readerSecret(CliRunner.QUORUM_TOKEN));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--user-data-dir=" + home.resolve("chromium"));
        // both paths given: Selenium Manager is never asked to find, let alone download, a browser or a driver
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(home.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(driver, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void showsTheDemoFollowsADeployLiveAndItsButtonsRollBackAndPromoteForTheAdminOnly() throws Exception {
        browser.get(server + "/ui/#token=" + CliRunner.QUORUM_TOKEN);
        await().atMost(PAGE).untilAsserted(() -> assertThat(versionsShown("greeter"))
                .containsExactly("2.0.0", "1.1.0", "1.0.0"));
        assertThat(browser.getCurrentUrl()).as("the token leaves the address bar").doesNotContain("token");
        assertThat(text(By.id("role"))).isEqualTo("admin");
        for (String version : List.of("2.0.0", "1.1.0", "1.0.0")) {
            assertThat(cells("greeter", version)).as(version).containsExactly("ACTIVE", "ACTIVE");
        }
        await().atMost(PAGE).untilAsserted(() -> assertThat(text(By.id("quorum")))
                .contains("participant").contains("node-1").contains("node-2"));
        assertThat(browser.findElements(By.cssSelector("#node-table tr[data-node]"))).hasSize(2);
        for (String member : cluster.zkConnect().split(",")) {
            assertThat(text(By.id("where"))).as("every member of the quorum the nodes run").contains(member);
        }

        // a deploy made from the CLI appears on the same page: no navigation, no reload
        js("window.vesselNotReloaded = true;");
        Path jar = demoJar("greeter-1.1.0.jar");
        CliRunner deploy = admin("deploy", jar.toString(), "--service", "watched");
        assertThat(deploy.exitCode()).as(deploy.err()).isEqualTo(ExitCode.OK);
        await().atMost(PAGE).untilAsserted(() -> assertThat(cells("watched", "1.1.0"))
                .containsExactly("ACTIVE", "ACTIVE"));
        assertThat(js("return window.vesselNotReloaded === true;")).isEqualTo(true);

        // rollback: the button asks first; cancelling changes nothing, confirming writes the rollback
        long before = revision("greeter");
        click(() -> button("rollback", "greeter", "data-revision", before - 1));
        assertThat(browser.findElement(By.id("confirm")).isDisplayed()).isTrue();
        assertThat(text(By.id("confirm-text"))).contains("Roll greeter back to revision " + (before - 1));
        browser.findElement(By.id("confirm-cancel")).click();
        assertThat(revision("greeter")).isEqualTo(before);
        click(() -> button("rollback", "greeter", "data-revision", before - 1));
        browser.findElement(By.id("confirm-ok")).click();
        await().atMost(PAGE).untilAsserted(() -> assertThat(revision("greeter")).isEqualTo(before + 1));
        JsonNode rolledBack = deployment("greeter");
        assertThat(rolledBack.path("history").get(rolledBack.path("history").size() - 1).path("action").asText())
                .isEqualTo("rollback to revision " + (before - 1));
        assertThat(rolledBack.path("versions").findValuesAsText("version")).containsExactly("1.0.0", "1.1.0");
        await().atMost(PAGE).untilAsserted(() -> assertThat(versionsShown("greeter")).containsExactly("1.1.0",
                "1.0.0"));

        // a canary deployed from the CLI gets a promote button; promoting makes it 100 %
        CliRunner canary = admin("deploy", demoJar("greeter-2.0.0.jar").toString(), "--weight", "10");
        assertThat(canary.exitCode()).as(canary.err()).isEqualTo(ExitCode.OK);
        await().atMost(PAGE).until(() -> !browser.findElements(promote("2.0.0")).isEmpty());
        long canaryRevision = revision("greeter");
        click(() -> browser.findElement(promote("2.0.0")));
        assertThat(text(By.id("confirm-text"))).contains("Promote greeter 2.0.0");
        browser.findElement(By.id("confirm-ok")).click();
        await().atMost(PAGE).untilAsserted(() -> assertThat(revision("greeter")).isEqualTo(canaryRevision + 1));
        JsonNode promoted = deployment("greeter");
        for (JsonNode version : promoted.path("versions")) {
            assertThat(version.path("weight").asInt()).as(version.toString()).isEqualTo(100);
        }
        assertThat(promoted.path("versions").findValuesAsText("version")).contains("2.0.0");
        await().atMost(PAGE).until(() -> browser.findElements(promote("2.0.0")).isEmpty());

        // the viewer signs in through the form: everything shows, no button can be pressed
        browser.findElement(By.id("sign-out")).click();
        browser.findElement(By.id("token")).sendKeys(ViewerToken.of(CliRunner.QUORUM_TOKEN));
        browser.findElement(By.id("open")).click();
        await().atMost(PAGE).untilAsserted(() -> assertThat(text(By.id("role"))).isEqualTo("viewer"));
        await().atMost(PAGE).untilAsserted(() -> assertThat(versionsShown("greeter"))
                .containsExactly("2.0.0", "1.1.0", "1.0.0"));
        long now = revision("greeter");
        String rollback = "button.rollback[data-service='greeter'][data-revision='" + (now - 1) + "']";
        assertThat(all(rollback, "String(e.disabled)")).containsExactly("true");
        assertThat(all("#services button.promote, #history button.rollback", "String(e.disabled)"))
                .isNotEmpty().containsOnly("true");
        js("document.querySelector(arguments[0]).click();", rollback); // even a script's click does nothing
        assertThat(browser.findElement(By.id("confirm")).isDisplayed()).isFalse();

        // and the node refuses what the button would have sent, with the viewer token
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(server + "/v1/admin/deployments/greeter"))
                .header("Authorization", "Bearer " + ViewerToken.of(CliRunner.QUORUM_TOKEN))
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"rollback\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("viewer token");
        assertThat(revision("greeter")).isEqualTo(now);
    }

    /**
     * A rollout under a rule, drawn live: canary and baseline error rate and p99 as charts with the gates' thresholds
     * and the steps marked, growing with every evaluation until the rollout is promoted; the matrix shows each
     * version's error rate and p99 beside its calls.
     */
    @Test
    void chartsARolloutUnderARuleAsItRuns() throws Exception {
        browser.get("about:blank"); // a fresh page load, whichever test ran before: a hash change alone is none
        browser.get(server + "/ui/#token=" + CliRunner.QUORUM_TOKEN);
        CliRunner baseline = admin("deploy", demoJar("greeter-1.0.0.jar").toString(), "--service", "charted");
        assertThat(baseline.exitCode()).as(baseline.err()).isEqualTo(ExitCode.OK);
        Path rule = Files.writeString(home.resolve("charted.yaml"), """
                steps:
                  - weight: 30
                    hold: 8s
                  - weight: 100
                analysis:
                  interval: 1s
                  window: 3s
                  minCalls: 3
                  onNoData: hold
                  failureLimit: 1
                  gates:
                    - metric: error-rate
                      max: 0.05
                    - metric: latency-p99
                      maxVsBaseline: 50
                """);
        java.util.concurrent.atomic.AtomicBoolean calling = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread load;
        try (dev.vessel.router.VesselClient client = dev.vessel.router.VesselClient.builder()
                .connectString(cluster.zkConnect()).readerSecret(Files.readString(readerSecret).trim()).build()) {
            load = new Thread(() -> {
                while (calling.get()) {
                    client.call("charted", "[1.0,2.0)", "greeter", "version");
                }
            }, "charted load");
            load.start();
            try {
                CliRunner started = admin("deploy", demoJar("greeter-1.1.0.jar").toString(), "--service", "charted",
                        "--rule", rule.toString(), "--no-wait");
                assertThat(started.exitCode()).as(started.err()).isEqualTo(ExitCode.OK);
                String rollout = ".rule-rollout[data-service='charted'] ";
                String canaryLine = rollout + "svg[data-chart='error rate'] polyline.canary";
                await().atMost(PAGE).until(() -> points(canaryLine) >= 2);
                int seen = points(canaryLine);
                await().atMost(PAGE).until(() -> points(canaryLine) > seen); // it follows the rollout live
                assertThat(all(rollout + "svg[data-chart='error rate'] line.threshold", "'line'")).hasSize(1);
                assertThat(points(rollout + "svg[data-chart='p99'] polyline.baseline")).isPositive();
                assertThat(points(rollout + "svg[data-chart='p99'] polyline.threshold")).isPositive();
                assertThat(all(rollout + "svg[data-chart='p99'] line.step", "'step'")).isNotEmpty();
                assertThat(all(rollout + "table.evaluations tr.PASS", "e.cells[2].textContent")).isNotEmpty()
                        .containsOnly("PASS");
                await().atMost(PAGE).until(() -> all(".rule-rollout[data-service='charted']", "e.dataset.phase")
                        .equals(List.of("PROMOTED")));
                assertThat(all(rollout + "svg[data-chart='error rate'] line.step", "'step'"))
                        .as("step 1 and the promotion marked").hasSizeGreaterThanOrEqualTo(2);
                await().atMost(PAGE).untilAsserted(() -> {
                    assertThat(all("#services .service[data-service='charted'] tr[data-version='1.1.0'] td.errors",
                            "e.textContent")).containsExactly("0%");
                    assertThat(all("#services .service[data-service='charted'] tr[data-version='1.1.0'] td.p99",
                            "e.textContent")).singleElement().asString().endsWith(" ms");
                });
            } finally {
                calling.set(false);
                load.join(30_000);
                browser.get("about:blank");
            }
        }
    }

    private static int points(String selector) {
        List<String> found = all(selector, "e.dataset.points");
        return found.isEmpty() ? 0 : Integer.parseInt(found.get(0));
    }

    private static CliRunner admin(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 8);
        System.arraycopy(new String[] {"--zk", cluster.zkConnect(), "--server", server, "--token-file",
                tokenFile.toString(), "--reader-secret-file", readerSecret.toString()}, 0, all, args.length, 8);
        return CliRunner.run(all);
    }

    private static Path demoJar(String name) throws Exception {
        Path jar = home.resolve(name);
        if (!Files.exists(jar)) {
            try (InputStream in = DashboardBrowserTest.class.getClassLoader().getResourceAsStream("demo/" + name)) {
                Files.copy(in, jar);
            }
        }
        return jar;
    }

    private static List<String> versionsShown(String service) {
        return all("#services .service[data-service='" + service + "'] tr[data-version]", "e.dataset.version");
    }

    /** The state shown in each node's cell of one version's row. */
    private static List<String> cells(String service, String version) {
        return all("#services .service[data-service='" + service + "'] tr[data-version='" + version
                + "'] td.state", "e.textContent.split(' ')[0]");
    }

    /**
     * {@code value} of every element {@code selector} matches, read in one script: the page redraws a section
     * whenever what it shows changes, so elements looked up one call earlier may be gone.
     */
    @SuppressWarnings("unchecked")
    private static List<String> all(String selector, String value) {
        return (List<String>) js("return [...document.querySelectorAll(arguments[0])].map(e => " + value + ");",
                selector);
    }

    /** Clicks what {@code find} finds, looking again if the page redrew it between finding and clicking. */
    private static void click(java.util.function.Supplier<WebElement> find) {
        await().atMost(PAGE).ignoreException(StaleElementReferenceException.class).until(() -> {
            find.get().click();
            return true;
        });
    }

    private static By promote(String version) {
        return By.cssSelector("#services button.promote[data-version='" + version + "']");
    }

    private static WebElement button(String kind, String service, String attribute, long value) {
        return browser.findElement(By.cssSelector("button." + kind + "[data-service='" + service + "'][" + attribute
                + "='" + value + "']"));
    }

    private static String text(By by) {
        return browser.findElement(by).getText();
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static JsonNode deployment(String service) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server + "/v1/admin/deployments/" + service))
                .header("Authorization", "Bearer " + CliRunner.QUORUM_TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static long revision(String service) throws Exception {
        return deployment(service).path("revision").asLong();
    }
}
