package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.AdminException;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.router.VesselClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal names the jar and the reason, stores and deploys nothing, and leaves the serving releases
 * serving: greeter 1.0.0 and 2.0.0 answer before and after each one, and the desired state keeps its revision.
 */
class DeployRefusalsTest {
    @TempDir
    static Path data;

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(3);

    private static DeployCluster cluster;
    private static VesselClient client;
    private static long revision;

    @BeforeAll
    static void start() throws Exception {
        cluster = new DeployCluster(data, 0);
        cluster.addNode("node-1", config -> config.readyTimeout(READY_TIMEOUT));
        assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
        assertThat(cluster.deploy("greeter-2.0.0", 100, false).ok()).isTrue();
        client = VesselClient.connect(cluster.zkConnect());
        revision = new DeploymentStore(cluster.registry()).read("greeter").revision();
    }

    @AfterAll
    static void stop() {
        client.close();
        cluster.close();
    }

    @AfterEach
    void theServingReleasesStillServeAndNothingWasDeployed() {
        assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").text())
                .isEqualTo("Hello, Ada! (greeter 1.0.0)");
        assertThat(client.call("greeter", "[2.0,3.0)", "greeter", "version").text()).isEqualTo("2.0.0");
        assertThat(new DeploymentStore(cluster.registry()).read("greeter").revision()).isEqualTo(revision);
        assertThat(new ReleaseStore(cluster.registry()).list("greeter")).extracting(ReleaseManifest::version)
                .containsExactly("1.0.0", "2.0.0");
    }

    private static AdminException refusal(String release, boolean force) {
        AdminClient admin = cluster.admin();
        AdminClient.Uploaded jar = admin.upload(SampleReleases.bundle(release));
        return (AdminException) org.assertj.core.api.Assertions.catchThrowable(
                () -> admin.createRelease(List.of(jar), null, force, false, "itest"));
    }

    @Test
    void aJarThatIsNotABundleIsRefused() {
        AdminException e = refusal("not-a-bundle", false);
        assertThat(e.code()).isEqualTo("INVALID_RELEASE");
        assertThat(e.getMessage()).isEqualTo("not-a-bundle.jar is not an OSGi bundle: its manifest has no"
                + " Bundle-SymbolicName");
    }

    @Test
    void anUnresolvableBundleIsRefusedByTheDryRun() {
        AdminException e = refusal("broken-unresolvable", false);
        assertThat(e.code()).isEqualTo("DRY_RUN_FAILED");
        assertThat(e.getMessage()).contains("dry run of [broken-unresolvable.jar]")
                .contains("dev.vessel.sample.broken.unresolvable").contains("missing requirement")
                .contains("dev.vessel.sample.absent");
    }

    @Test
    void anActivatorThatThrowsIsRefusedByTheDryRun() {
        AdminException e = refusal("broken-activator", false);
        assertThat(e.code()).isEqualTo("DRY_RUN_FAILED");
        assertThat(e.getMessage()).contains("dry run of [broken-activator.jar]")
                .contains("dev.vessel.sample.broken.activator").contains("refusing to start");
    }

    @Test
    void anActivatorThatNeverReturnsIsRefusedWithinTheReadyTimeoutWhileTheNodeServes() throws Exception {
        AdminClient admin = cluster.admin();
        AdminClient.Uploaded jar = admin.upload(SampleReleases.bundle("hanging-activator"));
        CompletableFuture<Throwable> refused = CompletableFuture.supplyAsync(() -> catchThrowable(
                () -> admin.createRelease(List.of(jar), null, false, false, "itest")));

        // while the dry run hangs, the thread waiting for it is one of the node's admin workers, not Jetty's
        Thread validating = await().atMost(Duration.ofSeconds(20)).until(
                () -> threadIn(ReleaseValidator.class.getName(), "validate"), Optional::isPresent).orElseThrow();
        assertThat(validating.getName()).startsWith("vessel-admin-node-1");
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                cluster.nodes().get(0).url().resolve("/v1/health")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "version").text()).isEqualTo("1.0.0");

        assertThat(refused.get(30, TimeUnit.SECONDS)).isInstanceOfSatisfying(AdminException.class, e -> {
            assertThat(e.code()).isEqualTo("DRY_RUN_FAILED");
            assertThat(e.getMessage()).contains("dry run of [hanging-activator.jar]")
                    .contains("did not start within " + READY_TIMEOUT.toMillis() + " ms")
                    .contains("HangingActivator.start");
        });
    }

    private static Optional<Thread> threadIn(String type, String method) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(entry -> Arrays.stream(entry.getValue())
                        .anyMatch(f -> f.getClassName().equals(type) && f.getMethodName().equals(method)))
                .map(Map.Entry::getKey).findFirst();
    }

    @Test
    void aVersionUnderstatedPerBaselineIsRefusedWithBndsReport() {
        AdminException e = refusal("greeter-understated", false);
        assertThat(e.code()).isEqualTo("BASELINE_REFUSED");
        assertThat(e.getMessage())
                .contains("greeter-understated.jar declares a version lower than its API change requires")
                .contains("baseline against greeter 1.0.0")
                .contains("package dev.vessel.sample.greeter.api: MINOR change, 1.0.0 -> declared 1.0.0, suggested"
                        + " 1.1.0  MISMATCH");
    }

    @Test
    void forceAcceptsAnUnderstatedVersionAndRecordsItButADryRunStoresNothing() {
        AdminClient admin = cluster.admin();
        AdminClient.Uploaded jar = admin.upload(SampleReleases.bundle("greeter-understated"));
        ReleaseManifest forced = admin.createRelease(List.of(jar), null, true, true, "itest");
        assertThat(forced.version()).isEqualTo("1.0.1");
        assertThat(forced.forced()).isTrue();
        assertThat(forced.baseline()).contains("MISMATCH").contains("accepted with --force");
    }

    @Test
    void aMissingOrWrongTokenIsRefusedAndStoresNothing() throws Exception {
        Path jar = SampleReleases.bundle("greeter-1.1.0");
        String sha = sha256(jar);
        URI artifact = cluster.nodes().get(0).url().resolve("/v1/admin/artifacts/" + sha);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(artifact)
                .PUT(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.body()).contains("UNAUTHORIZED");
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(artifact)
                .header("Authorization", "Bearer not-the-token-at-all")
                .PUT(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("FORBIDDEN");
        HttpResponse<Void> held = http.send(HttpRequest.newBuilder(artifact)
                .header("Authorization", "Bearer " + DeployCluster.TOKEN)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(held.statusCode()).as("nothing was stored").isEqualTo(404);

        AdminClient intruder = new AdminClient(cluster.nodes().get(0).url(), "wrong-token-wrong-token");
        assertThatThrownBy(() -> intruder.change("greeter", new DeploymentChange("retire", "1.0.0", null, null, null,
                null, "intruder"))).isInstanceOfSatisfying(AdminException.class,
                        e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void refusedUploadsLeaveTheClientsConnectionsUsable() throws Exception {
        // the refusals come before the body is read; the client must not fail on a connection it reuses after
        Path jar = SampleReleases.bundle("greeter-1.1.0");
        URI artifact = cluster.nodes().get(0).url().resolve("/v1/admin/artifacts/" + sha256(jar));
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 20; i++) {
            assertThat(http.send(HttpRequest.newBuilder(artifact).PUT(HttpRequest.BodyPublishers.ofFile(jar)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(artifact).header("Authorization", "Bearer wrong-token-xyz")
                    .PUT(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(403);
            HttpRequest head = HttpRequest.newBuilder(artifact)
                    .header("Authorization", "Bearer " + DeployCluster.TOKEN)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            assertThat(http.send(head, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aDigestThatDoesNotMatchTheContentIsRefused() throws Exception {
        Path jar = SampleReleases.bundle("greeter-1.1.0");
        String claimed = "0".repeat(64);
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        cluster.nodes().get(0).url().resolve("/v1/admin/artifacts/" + claimed))
                .header("Authorization", "Bearer " + DeployCluster.TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("DIGEST_MISMATCH").contains("nothing was stored");
    }

    @Test
    void twoDeploysDecidedOnTheSameRevisionNeverLoseOneTheLaterGetsAConflict() {
        AdminClient admin = cluster.admin();
        // both engineers read revision N and deploy; the first wins, the second is refused, nothing is lost
        DeploymentChange first = new DeploymentChange("deploy", "1.0.0", 100, "*", revision, null, "ada");
        DeploymentChange second = new DeploymentChange("deploy", "2.0.0", 100, "*", revision, null, "grace");
        var won = admin.change("greeter", first);
        assertThat(won.revision()).isEqualTo(revision + 1);
        assertThatThrownBy(() -> admin.change("greeter", second)).isInstanceOfSatisfying(AdminException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.code()).isEqualTo("CONFLICT");
            assertThat(e.getMessage()).contains("at revision " + (revision + 1) + ", not " + revision);
        });
        assertThat(new DeploymentStore(cluster.registry()).read("greeter").history())
                .extracting(r -> r.by()).last().isEqualTo("ada");
        revision = won.revision(); // the same versions as before: the winner's change is kept, not lost
    }

    private static String sha256(Path file) throws Exception {
        var digest = java.security.MessageDigest.getInstance("SHA-256");
        return java.util.HexFormat.of().formatHex(digest.digest(java.nio.file.Files.readAllBytes(file)));
    }
}
