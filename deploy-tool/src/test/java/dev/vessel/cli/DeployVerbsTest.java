package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The release engineer's verbs against a real local cluster started like `vessel up --demo`. */
class DeployVerbsTest {
    @TempDir
    static Path home;

    private static LocalCluster cluster;
    private static String zk;
    private static String server;
    private static Path tokenFile;
    private static Path readerSecretFile;
    private static Path greeter11;

    @BeforeAll
    static void start() throws Exception {
        String token = LocalCluster.newToken();
        cluster = LocalCluster.start(new LocalCluster.Settings(home, 1, 0, CliRunner.freePort(), "127.0.0.1", true,
                token));
        zk = cluster.zkConnect();
        server = cluster.nodes().get(0).url().toString();
        tokenFile = Files.writeString(home.resolve("token"), token);
        readerSecretFile = Files.writeString(home.resolve("reader-secret"),
                dev.vessel.registry.RegistryCredentials.readerSecret(token));
        greeter11 = home.resolve("greeter-1.1.0.jar");
        try (InputStream jar = DeployVerbsTest.class.getClassLoader().getResourceAsStream("demo/greeter-1.1.0.jar")) {
            Files.copy(jar, greeter11);
        }
    }

    /** A registry session with the nodes' identity: a writer with registry access, as a test needs one. */
    private static dev.vessel.registry.RegistryConnection asNodes() throws java.io.IOException {
        return dev.vessel.registry.RegistryConnection.connect(zk, dev.vessel.registry.RegistryLayout.defaultLayout(),
                java.time.Duration.ofSeconds(10), dev.vessel.registry.RegistryCredentials.forNodes(
                        Files.readString(tokenFile)));
    }

    /** A command line, with the cluster's reader secret when it names the cluster with --zk. */
    private static CliRunner cli(String... args) {
        return CliRunner.runReading(readerSecretFile, args);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void aDeployerTokenFromVesselTokenDeploysItsOwnServicesOnlyUntilItIsRevoked() throws Exception {
        CliRunner created = run("token", "create", "--role", "deployer", "--services", "scoped-*", "--description",
                "the scoped team");
        assertThat(created.exitCode()).as(created.err()).isEqualTo(ExitCode.OK);
        String token = created.out().trim();
        assertThat(token).startsWith("vessel_");
        String id = token.substring("vessel_".length(), "vessel_".length() + 12);
        assertThat(created.err()).contains("token " + id + ": deployer of services matching 'scoped-*'");
        Path deployer = Files.writeString(home.resolve("deployer-token"), token);

        CliRunner own = cli("deploy", greeter11.toString(), "--service", "scoped-greeter", "--zk", zk, "--server",
                server, "--token-file", deployer.toString());
        assertThat(own.exitCode()).as(own.err()).isEqualTo(ExitCode.OK);
        CliRunner other = cli("deploy", greeter11.toString(), "--service", "other-greeter", "--zk", zk, "--server",
                server, "--token-file", deployer.toString());
        assertThat(other.exitCode()).as(other.err()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(other.err()).contains("may not release 'other-greeter'");
        CliRunner tokens = cli("token", "list", "--zk", zk, "--server", server, "--token-file", deployer.toString());
        assertThat(tokens.exitCode()).as("a deployer does not manage tokens").isEqualTo(ExitCode.UNAUTHORIZED);

        CliRunner listed = run("token", "list");
        assertThat(listed.exitCode()).as(listed.err()).isEqualTo(ExitCode.OK);
        assertThat(listed.out()).contains(id).contains("deployer").contains("scoped-*").contains("the scoped team")
                .doesNotContain(token);
        CliRunner revoked = run("token", "revoke", id);
        assertThat(revoked.exitCode()).as(revoked.err()).isEqualTo(ExitCode.OK);
        assertThat(run("token", "revoke", id).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        CliRunner after = cli("retire", "scoped-greeter", "1.1.0", "--zk", zk, "--server", server, "--token-file",
                deployer.toString());
        assertThat(after.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(after.err()).contains("unknown or revoked token");
    }

    @Test
    void aSignedReleaseDeploysWhereSignaturesAreRequiredAndAnUnsignedOneIsRefused() throws Exception {
        Path key = home.resolve("signer.key");
        CliRunner made = CliRunner.run("release", "key", "--out", key.toString());
        assertThat(made.exitCode()).as(made.err()).isEqualTo(ExitCode.OK);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        String keyId = made.out().substring("key ".length(), "key ".length() + 16);

        CliRunner trusted = run("trust", "add-key", home.resolve("signer.key.pub").toString(), "--services",
                "signed-*");
        assertThat(trusted.exitCode()).as(trusted.err()).isEqualTo(ExitCode.OK);
        assertThat(trusted.out()).contains(keyId).contains("signed-*").contains("valid");
        assertThat(run("trust", "mode", "require", "--service", "signed-greeter").out())
                .contains("signed-greeter: require");

        CliRunner unsigned = run("deploy", greeter11.toString(), "--service", "signed-greeter");
        assertThat(unsigned.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(unsigned.err()).contains("signed-greeter 1.1.0 is not signed").contains("Nothing was stored");

        Path signature = home.resolve("signed-greeter.signature.json");
        CliRunner signed = CliRunner.run("release", "sign", greeter11.toString(), "--key", key.toString(),
                "--service", "signed-greeter", "--out", signature.toString());
        assertThat(signed.exitCode()).as(signed.err()).isEqualTo(ExitCode.OK);
        assertThat(signed.out()).contains("signed signed-greeter 1.1.0 (1 jar(s)) with key " + keyId);
        CliRunner deployed = run("deploy", greeter11.toString(), "--service", "signed-greeter", "--signature",
                signature.toString());
        assertThat(deployed.exitCode()).as(deployed.err()).isEqualTo(ExitCode.OK);

        assertThat(cli("releases", "signed-greeter", "--zk", zk).out()).contains("signed by " + keyId)
                .doesNotContain("unsigned");
        assertThat(cli("history", "signed-greeter", "--zk", zk).out()).contains("signed: 1.1.0 by " + keyId);

        CliRunner revoked = run("trust", "revoke-key", keyId);
        assertThat(revoked.exitCode()).as(revoked.err()).isEqualTo(ExitCode.OK);
        assertThat(revoked.out()).contains("revoked 20")
                .contains("deployed, signed by a revoked key: signed-greeter 1.1.0 (signed by revoked key " + keyId);
        assertThat(cli("releases", "signed-greeter", "--zk", zk).out()).contains("which was revoked");
    }

    @Test
    void theRegistryOfAOneNodeClusterIsClosedToStrangers() throws Exception {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.vessel.registry.RegistryConnection.connect(zk))
                .isInstanceOf(dev.vessel.registry.RegistryAccessDeniedException.class);
        try (org.apache.curator.framework.CuratorFramework stranger = org.apache.curator.framework
                .CuratorFrameworkFactory.newClient(zk, new org.apache.curator.retry.RetryOneTime(100))) {
            stranger.start();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.create().forPath("/vessel/releases/x"))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.create().forPath("/anything"))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
        }
    }

    private static CliRunner run(String... args) {
        String[] all = new String[args.length + 6];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(new String[] {"--zk", zk, "--server", server, "--token-file", tokenFile.toString()}, 0, all,
                args.length, 6);
        return cli(all);
    }

    @Test
    void theDemoWasDeployedThroughTheLifecycleAndShowsInHistoryAndReleases() throws Exception {
        CliRunner history = cli("history", "greeter", "--zk", zk, "--json");
        JsonNode deployment = new ObjectMapper().readTree(history.out());
        assertThat(deployment.path("versions")).extracting(v -> v.path("version").asText())
                .contains("1.0.0", "1.1.0", "2.0.0");
        CliRunner releases = cli("releases", "greeter", "--zk", zk);
        assertThat(releases.out()).contains("greeter      1.0.0").contains("greeter      2.0.0");

        // the node counted the demo's deploys (three, and those of the other tests): passes and starts
        java.net.http.HttpResponse<String> scrape = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.body()).containsPattern("(?m)^vessel_container_start_duration_seconds_count"
                + "\\{outcome=\"active\"\\} ([3-9]|\\d\\d+)$")
                .containsPattern("(?m)^vessel_reconcile_pass_duration_seconds_count\\{outcome=\"ok\"\\} [1-9]");
    }

    /** rollout status: the settled demo at once, and a live watch of a deploy from written to settled. */
    @Test
    void rolloutStatusShowsWhereARolloutIsAndWatchEndsWhenItSettles() throws Exception {
        CliRunner now = cli("rollout", "status", "greeter", "--zk", zk);
        assertThat(now.exitCode()).as(now.err()).isEqualTo(ExitCode.OK);
        assertThat(now.out()).contains("  node-1  1.0.0  ACTIVE").contains("  node-1  2.0.0  ACTIVE")
                .contains("settled: every targeted node runs revision");

        CliRunner deploy = run("deploy", greeter11.toString(), "--service", "watched", "--no-wait");
        assertThat(deploy.exitCode()).as(deploy.err()).isEqualTo(ExitCode.OK);
        CliRunner watch = cli("rollout", "status", "watched", "--watch", "--timeout", "60", "--zk", zk);
        assertThat(watch.exitCode()).as(watch.out() + watch.err()).isEqualTo(ExitCode.OK);
        assertThat(watch.out()).startsWith("revision 1 of watched: 1.1.0").contains("  node-1  1.1.0  ACTIVE")
                .endsWith("settled: every targeted node runs revision 1\n");

        JsonNode json = new ObjectMapper().readTree(cli("rollout", "status", "watched", "--json", "--zk", zk)
                .out());
        assertThat(json.path("ending").asText()).isEqualTo("SETTLED");
        assertThat(json.path("nodes").get(0).path("state").asText()).isEqualTo("ACTIVE");
        assertThat(cli("rollout", "status", "never-deployed", "--zk", zk).exitCode())
                .isEqualTo(ExitCode.NOT_FOUND);
    }

    /**
     * A rollout that cannot settle (its release is in no store, so the node never starts it): the watch gives up
     * at its timeout with exit 1 and says what is still pending.
     */
    @Test
    void aWatchThatTimesOutExitsOneAndNamesWhatIsPending() throws Exception {
        try (dev.vessel.registry.RegistryConnection registry = asNodes()) {
            new dev.vessel.registry.DeploymentStore(registry).update("ghost", 0, d -> d.next(java.util.List.of(
                    new dev.vessel.registry.DeployedVersion("1.0.0", 100, "*", 0)), "deploy 1.0.0", "test"));
        }
        CliRunner watch = cli("rollout", "status", "ghost", "--watch", "--timeout", "2", "--zk", zk);
        assertThat(watch.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(watch.out()).contains("not settled after 2 s: node-1  1.0.0  PENDING");
        CliRunner once = cli("rollout", "status", "ghost", "--zk", zk);
        assertThat(once.exitCode()).as("without --watch, in progress is no failure").isEqualTo(ExitCode.OK);
        assertThat(once.out()).contains("in progress: node-1  1.0.0  PENDING");
    }

    /**
     * A release that fails on the node although the registry says it was validated (written there directly, as a
     * writer with registry access could, around the admin API): the watch ends at once with exit 1 and the node's
     * reason.
     */
    @Test
    void aWatchEndsWithExitOneWhenANodeReportsTheVersionFailed() throws Exception {
        Path junk = Files.writeString(home.resolve("junk.jar"), "not a jar at all");
        dev.vessel.deploy.AdminClient admin = new dev.vessel.deploy.AdminClient(java.net.URI.create(server),
                Files.readString(tokenFile));
        dev.vessel.deploy.AdminClient.Uploaded uploaded = admin.upload(junk);
        try (dev.vessel.registry.RegistryConnection registry = asNodes()) {
            new dev.vessel.registry.ReleaseStore(registry).create(new dev.vessel.registry.ReleaseManifest("failing",
                    "1.0.0", "junk.jar", java.util.List.of(new dev.vessel.registry.BundleRef("junk", "1.0.0",
                            uploaded.sha256(), uploaded.size(), "junk.jar", null)), java.util.List.of("greeter"), "",
                    false, "test", System.currentTimeMillis()));
            new dev.vessel.registry.DeploymentStore(registry).update("failing", 0, d -> d.next(java.util.List.of(
                    new dev.vessel.registry.DeployedVersion("1.0.0", 100, "*", 0)), "deploy 1.0.0", "test"));
        }
        CliRunner watch = cli("rollout", "status", "failing", "--watch", "--timeout", "60", "--zk", zk);
        assertThat(watch.exitCode()).as(watch.out() + watch.err()).isEqualTo(ExitCode.FAILED);
        assertThat(watch.out()).contains("FAILED node-1: failing 1.0.0 FAILED: could not fetch or read the release");
        JsonNode json = new ObjectMapper().readTree(cli("rollout", "status", "failing", "--json", "--zk", zk)
                .out());
        assertThat(json.path("ending").asText()).isEqualTo("FAILED");
    }

    /**
     * {@code vessel status}, {@code history} and {@code releases} of a recorded cluster ask a node's admin API, so
     * they need no ZooKeeper address of their own (here the recorded one is wrong and the answers still come, with
     * the node's address); when no recorded node answers, or one refuses the token, they read ZooKeeper as before.
     */
    @Test
    void statusOfARecordedClusterIsReadThroughANodeAndFallsBackToZooKeeper(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        String token = Files.readString(tokenFile);
        int closedPort = CliRunner.freePort();
        String previous = System.getProperty("vessel.home");
        System.setProperty("vessel.home", dir.toString());
        try {
            record(dir, "127.0.0.1:1", server, token);
            CliRunner viaNode = cli("status", "--json");
            assertThat(viaNode.exitCode()).as(viaNode.err()).isEqualTo(ExitCode.OK);
            JsonNode shown = new ObjectMapper().readTree(viaNode.out());
            assertThat(shown.path("zk").asText()).as("the node's own address, not the recorded one").isEqualTo(zk);
            assertThat(shown.path("nodes").get(0).path("containers").findValuesAsText("id"))
                    .contains("greeter-1.0.0", "greeter-2.0.0");
            assertThat(cli("status").out()).contains("greeter").contains("ACTIVE");
            // history and releases too: the recorded ZooKeeper address is never needed
            CliRunner history = cli("history", "greeter", "--json");
            assertThat(history.exitCode()).as(history.err()).isEqualTo(ExitCode.OK);
            assertThat(new ObjectMapper().readTree(history.out()).path("versions").findValuesAsText("version"))
                    .contains("1.0.0", "2.0.0");
            assertThat(cli("releases", "greeter").out()).contains("greeter      1.0.0");
            assertThat(cli("releases").out()).contains("greeter      2.0.0");
            assertThat(cli("history", "never-deployed").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
            // call: the node gives the routing records, the CLI routes by range as ever, with no ZooKeeper
            CliRunner call = cli("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)",
                    "--json");
            assertThat(call.exitCode()).as(call.err()).isEqualTo(ExitCode.OK);
            JsonNode answered = new ObjectMapper().readTree(call.out());
            assertThat(answered.path("version").asText()).as("the newest 1.x").isEqualTo("1.1.0");
            assertThat(answered.path("result").asText()).isEqualTo("Hello, Ada! (greeter 1.1.0)");
            CliRunner none = cli("call", "greeter", "greeter", "greet", "Ada", "--range", "[3.0,4.0)");
            assertThat(none.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(none.err()).contains("no compatible version of 'greeter' for range [3.0.0,4.0.0); ACTIVE"
                    + " versions: 1.0.0, 1.1.0, 2.0.0");
            // deploy, rollout status, retire and rollback follow the rollout through the node as well
            CliRunner deployed = cli("deploy", greeter11.toString(), "--service", "via-node");
            assertThat(deployed.exitCode()).as(deployed.err()).isEqualTo(ExitCode.OK);
            assertThat(deployed.out()).contains("revision  1: 1.1.0").contains("done: every targeted node matches");
            assertThat(deployed.err()).contains("node-1 1.1.0 ACTIVE+registered");
            CliRunner settled = cli("rollout", "status", "via-node", "--watch", "--timeout", "30");
            assertThat(settled.exitCode()).as(settled.err()).isEqualTo(ExitCode.OK);
            assertThat(settled.out()).contains("settled: every targeted node runs revision 1");
            CliRunner retired = cli("retire", "via-node", "1.1.0");
            assertThat(retired.exitCode()).as(retired.err()).isEqualTo(ExitCode.OK);
            assertThat(retired.out()).contains("revision  2: ").contains("done: every targeted node matches");
            CliRunner rolledBack = cli("rollback", "via-node");
            assertThat(rolledBack.exitCode()).as(rolledBack.err()).isEqualTo(ExitCode.OK);
            assertThat(rolledBack.out()).contains("revision  3: 1.1.0");
            assertThat(cli("rollout", "status", "never-deployed").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
            CliRunner badArgs = cli("call", "greeter", "greeter", "greet", "Ada", "--range", "[2.0,3.0)");
            assertThat(badArgs.exitCode()).isEqualTo(ExitCode.FAILED);
            assertThat(badArgs.err()).contains("HTTP 400 BAD_ARGUMENTS from node-1.greeter-2.0.0");

            // a recorded token the node refuses: the registry, secured with the real one, refuses it too
            record(dir, zk, server, "wrong");
            CliRunner refused = cli("status", "--json");
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCode.UNAUTHORIZED);
            assertThat(refused.err()).contains("refuses the vessel-reader credential");
            for (String[] broken : new String[][] {{"http://127.0.0.1:" + closedPort, token}}) {
                record(dir, zk, broken[0], broken[1]);
                CliRunner viaZooKeeper = cli("status", "--json");
                assertThat(viaZooKeeper.exitCode()).as(viaZooKeeper.err()).isEqualTo(ExitCode.OK);
                assertThat(new ObjectMapper().readTree(viaZooKeeper.out()).path("nodes").get(0).path("containers")
                        .findValuesAsText("id")).contains("greeter-1.0.0", "greeter-2.0.0");
                CliRunner callViaZooKeeper = cli("call", "greeter", "greeter", "greet", "Ada", "--range",
                        "[1.0,2.0)");
                assertThat(callViaZooKeeper.exitCode()).as(callViaZooKeeper.err()).isEqualTo(ExitCode.OK);
                assertThat(callViaZooKeeper.out()).contains("greeter 1.1.0");
            }
        } finally {
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }

    private static void record(Path dir, String zkAddress, String nodeUrl, String token) {
        VesselHome.resolve().writeCluster(new VesselHome.ClusterInfo(zkAddress, "/vessel", java.util.List.of(
                new VesselHome.NodeAddress("node-1", nodeUrl)), ProcessHandle.current().pid(),
                System.currentTimeMillis(), token, null, null, false));
    }

    @Test
    void aDryRunValidatesAndReportsWithoutDeploying() throws Exception {
        long before = revision();
        CliRunner dry = run("deploy", greeter11.toString(), "--dry-run", "--json");
        assertThat(dry.exitCode()).as(dry.err()).isEqualTo(ExitCode.OK);
        JsonNode result = new ObjectMapper().readTree(dry.out());
        assertThat(result.path("release").path("version").asText()).isEqualTo("1.1.0");
        assertThat(result.path("release").path("baseline").asText()).contains("baseline against greeter 1.0.0");
        assertThat(revision()).isEqualTo(before);
    }

    @Test
    void aMissingTokenIsExitCodeSixAndChangesNothing() throws Exception {
        long before = revision();
        CliRunner denied = cli("retire", "greeter", "1.0.0", "--zk", zk, "--server", server,
                "--token-file", Files.writeString(home.resolve("wrong"), "wrong-token-wrong-token").toString());
        assertThat(denied.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(denied.err()).contains("wrong admin token");
        assertThat(revision()).isEqualTo(before);
    }

    @Test
    void anAdminApiNobodyAnswersIsExitCodeFourAndChangesNothing() throws Exception {
        long before = revision();
        String closed = "http://127.0.0.1:" + CliRunner.freePort();
        CliRunner unreachable = cli("retire", "greeter", "1.0.0", "--zk", zk, "--server", closed,
                "--token-file", tokenFile.toString());
        assertThat(unreachable.exitCode()).as(unreachable.err()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(unreachable.err()).contains("cannot reach the admin API of " + closed);
        assertThat(revision()).isEqualTo(before);
    }

    @Test
    void canaryPromoteAndRollbackEachWaitForTheCluster() throws Exception {
        CliRunner retire = run("retire", "greeter", "2.0.0");
        assertThat(retire.exitCode()).as(retire.err()).isEqualTo(ExitCode.OK);
        Path greeter2 = home.resolve("greeter-2.0.0.jar");
        try (InputStream jar = DeployVerbsTest.class.getClassLoader().getResourceAsStream("demo/greeter-2.0.0.jar")) {
            Files.copy(jar, greeter2, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        CliRunner canary = run("deploy", greeter2.toString(), "--weight", "10");
        assertThat(canary.exitCode()).as(canary.err()).isEqualTo(ExitCode.OK);
        assertThat(canary.out()).contains("2.0.0 (canary 10%)").contains("done: every targeted node matches");
        CliRunner promote = run("promote", "greeter", "2.0.0");
        assertThat(promote.exitCode()).as(promote.err()).isEqualTo(ExitCode.OK);
        assertThat(promote.out()).doesNotContain("canary");
        CliRunner rollback = run("rollback", "greeter");
        assertThat(rollback.exitCode()).as(rollback.err()).isEqualTo(ExitCode.OK);
        assertThat(rollback.out()).contains("2.0.0 (canary 10%)");
        CliRunner history = cli("history", "greeter", "--zk", zk);
        assertThat(history.out()).contains("deploy 2.0.0 as canary at 10%").contains("promote 2.0.0")
                .contains("rollback to revision");
    }

    @Test
    void maxConcurrencyReachesTheRunningContainerLiveAndShowsInStatusAndHistory() throws Exception {
        CliRunner bad = run("deploy", greeter11.toString(), "--max-concurrency", "-1");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(bad.err()).contains("--max-concurrency must be 1-10000");

        CliRunner deploy = run("deploy", greeter11.toString(), "--max-concurrency", "7");
        assertThat(deploy.exitCode()).as(deploy.err()).isEqualTo(ExitCode.OK);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode status = new ObjectMapper().readTree(cli("status", "--zk", zk, "--json").out());
            assertThat(status.path("nodes").get(0).path("containers")).anySatisfy(c -> {
                assertThat(c.path("id").asText()).isEqualTo("greeter-1.1.0");
                assertThat(c.path("state").asText()).isEqualTo("ACTIVE");
                assertThat(c.path("maxConcurrency").asInt()).isEqualTo(7);
            });
        });
        assertThat(cli("history", "greeter", "--zk", zk).out()).contains("at most 7 calls at once");
    }

    @Test
    void cpuShareAndLimitReachTheRunningContainerAndShowInStatusAndHistory() throws Exception {
        CliRunner bad = run("deploy", greeter11.toString(), "--cpu-limit", "-1");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(bad.err()).contains("--cpu/--cpu-limit: cpuLimit must be 0.01-1024 cores");
        CliRunner inverted = run("deploy", greeter11.toString(), "--cpu", "2", "--cpu-limit", "1");
        assertThat(inverted.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(inverted.err()).contains("cannot be more than cpuLimit");

        CliRunner deploy = run("deploy", greeter11.toString(), "--cpu", "0.5", "--cpu-limit", "0.75");
        assertThat(deploy.exitCode()).as(deploy.err()).isEqualTo(ExitCode.OK);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode status = new ObjectMapper().readTree(cli("status", "--zk", zk, "--json").out());
            assertThat(status.path("nodes").get(0).path("cpu").path("mechanism").asText()).isNotEmpty();
            assertThat(status.path("nodes").get(0).path("containers")).anySatisfy(c -> {
                assertThat(c.path("id").asText()).isEqualTo("greeter-1.1.0");
                assertThat(c.path("cpu").path("share").asDouble()).isEqualTo(0.5);
                assertThat(c.path("cpu").path("limit").asDouble()).isEqualTo(0.75);
            });
        });
        CliRunner table = cli("status", "--zk", zk);
        assertThat(table.out()).contains("CPU-SEC").contains("CPU-LIMIT").contains("0.75")
                .contains("CPU isolation");
        assertThat(cli("history", "greeter", "--zk", zk).out()).contains("with cpu 0.5, cpu limit 0.75");
    }

    private static long revision() throws Exception {
        return new ObjectMapper().readTree(cli("history", "greeter", "--zk", zk, "--json").out())
                .path("revision").asLong();
    }
}
