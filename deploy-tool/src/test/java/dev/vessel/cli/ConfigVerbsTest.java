package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.RegistryCredentials;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vessel config} against two nodes running the configurable greeter: set, get, history, diff, rollback
 * and status, each change live in both containers (never restarted) and acknowledged by both; a change made
 * from a revision that is no longer current writes nothing (exit 5); bad input changes nothing (exit 2).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigVerbsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICE = "configurable-greeter";
    private static final String PID = "dev.vessel.sample.configurable.greeting";

    @TempDir
    static Path home;

    private static LocalCluster cluster;
    private static String zk;
    private static String server;
    private static Path tokenFile;
    private static Path readerSecret;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.start(new LocalCluster.Settings(home, 2, 0, CliRunner.freePorts(2), "127.0.0.1", false,
                CliRunner.QUORUM_TOKEN));
        zk = cluster.zkConnect();
        server = cluster.nodes().get(0).url().toString();
        tokenFile = Files.writeString(home.resolve("token"), CliRunner.QUORUM_TOKEN);
        readerSecret = Files.writeString(home.resolve("reader-secret"), RegistryCredentials.readerSecret(
                CliRunner.QUORUM_TOKEN));
        Path jar = home.resolve(SERVICE + ".jar");
        try (InputStream in = ConfigVerbsTest.class.getClassLoader().getResourceAsStream("demo/" + SERVICE + ".jar")) {
            Files.copy(in, jar);
        }
        CliRunner deploy = run("deploy", jar.toString());
        assertThat(deploy.exitCode()).as(deploy.err()).isZero();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static CliRunner run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--zk", zk, "--reader-secret-file", readerSecret.toString()));
        if (List.of("deploy", "set", "rollback").contains(args[0].equals("config") ? args[1] : args[0])) {
            all.addAll(List.of("--server", server, "--token-file", tokenFile.toString()));
        }
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static String greet() {
        CliRunner call = run("call", SERVICE, "greeter", "greet", "Ada", "--range", "[1.0,2.0)");
        assertThat(call.exitCode()).as(call.err()).isZero();
        return call.out().trim();
    }

    /** When each node's container of the service started: a restart would change it. */
    private static List<Long> startedSince() {
        return cluster.nodes().stream().flatMap(n -> n.containers().stream()).filter(c -> c.service().equals(SERVICE))
                .map(dev.vessel.host.ContainerInfo::since).sorted().toList();
    }

    @Test
    @Order(1)
    void aValueSetIsLiveInEveryContainerAndAcknowledgedByEach() throws Exception {
        assertThat(greet()).isEqualTo("\"Hello, Ada! (configurable-greeter 1.0.0)\"");
        List<Long> before = startedSince();
        assertThat(before).hasSize(2);

        CliRunner set = run("config", "set", SERVICE, PID, "salutation=Welcome", "emphasis=2", "-m", "warmer");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out().lines().filter(l -> l.endsWith("applied"))).hasSize(2);
        assertThat(greet()).isEqualTo("\"Welcome, Ada!! (configurable-greeter 1.0.0)\"");

        CliRunner get = run("config", "get", SERVICE, "--json");
        JsonNode revision = JSON.readTree(get.out());
        assertThat(revision.path("revision").asLong()).isEqualTo(1);
        assertThat(revision.path("pids").path(PID).path("salutation").asText()).isEqualTo("Welcome");
        assertThat(revision.path("message").asText()).isEqualTo("warmer");

        CliRunner status = run("config", "status", SERVICE, "--json");
        assertThat(JSON.readTree(status.out()).path("containers").findValuesAsText("revision"))
                .containsExactly("1", "1");
        assertThat(startedSince()).as("no container restarted").isEqualTo(before);
    }

    @Test
    @Order(2)
    void historyDiffAndRollback() throws Exception {
        CliRunner set = run("config", "set", SERVICE, PID, "style=upper");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(greet()).isEqualTo("\"WELCOME, ADA!! (configurable-greeter 1.0.0)\"");

        CliRunner diff = run("config", "diff", SERVICE, "1", "2");
        assertThat(diff.out()).contains(PID).contains("+ style = upper");
        CliRunner history = run("config", "history", SERVICE);
        assertThat(history.out()).contains("warmer").contains("set " + PID + ": + style = upper");

        CliRunner rollback = run("config", "rollback", SERVICE);
        assertThat(rollback.exitCode()).as(rollback.err()).isZero();
        assertThat(greet()).isEqualTo("\"Welcome, Ada!! (configurable-greeter 1.0.0)\"");
        JsonNode current = JSON.readTree(run("config", "get", SERVICE, "--json").out());
        assertThat(current.path("revision").asLong()).isEqualTo(3);
        assertThat(current.path("message").asText()).isEqualTo("rollback to revision 1");
    }

    @Test
    @Order(3)
    void typedFilesAreReadAsTheirFormatSays() throws Exception {
        Path config = Files.writeString(home.resolve("greeting.config"), "salutation=\"Hey\"\nemphasis=I\"4\"\n");
        CliRunner set = run("config", "set", SERVICE, PID, "--replace", "--file", config.toString());
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(greet()).isEqualTo("\"Hey, Ada!!!! (configurable-greeter 1.0.0)\"");
        JsonNode current = JSON.readTree(run("config", "get", SERVICE, PID, "--json").out());
        assertThat(current.path("pids").path(PID).path("emphasis").isInt()).as("an Integer, as the file says")
                .isTrue();
        assertThat(current.path("pids").path(PID).has("style")).as("--replace dropped it").isFalse();

        Path json = Files.writeString(home.resolve("greeting.json"), "{\"emphasis\": 0}");
        assertThat(run("config", "set", SERVICE, PID, "--file", json.toString()).exitCode()).isZero();
        assertThat(greet()).isEqualTo("\"Hey, Ada (configurable-greeter 1.0.0)\"");
    }

    @Test
    @Order(4)
    void aStaleOrBadChangeWritesNothing() throws Exception {
        long at = JSON.readTree(run("config", "get", SERVICE, "--json").out()).path("revision").asLong();
        CliRunner stale = run("config", "set", SERVICE, PID, "salutation=Late", "--if-revision", Long.toString(at - 1));
        assertThat(stale.exitCode()).isEqualTo(ExitCode.CONFLICT);
        assertThat(stale.err()).contains("is at revision " + at + ", not " + (at - 1));

        CliRunner bad = run("config", "set", SERVICE, PID, "no-equals-sign");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(bad.err()).contains("'no-equals-sign' is not KEY=VALUE");

        CliRunner missing = run("config", "diff", SERVICE, "1", "99");
        assertThat(missing.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.err()).contains("has no revision 99");

        assertThat(JSON.readTree(run("config", "get", SERVICE, "--json").out()).path("revision").asLong())
                .as("nothing was written").isEqualTo(at);
    }

    @Test
    @Order(5)
    void aValueTheReleasesMetatypeRefusesIsNeverWritten() throws Exception {
        long at = JSON.readTree(run("config", "get", SERVICE, "--json").out()).path("revision").asLong();
        String answer = greet();
        for (String[] misfit : List.of(new String[] {"emphasis=9", "emphasis: '9' is out of bounds, expected"
                + " Integer from 0 to 5"}, new String[] {"emphasis=lots", "emphasis: 'lots' is not an Integer"},
                new String[] {"style=shouty", "style: 'shouty' is none of the options, expected String one of"
                        + " [as-written, upper]"})) {
            CliRunner refused = run("config", "set", SERVICE, PID, misfit[0]);
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(ExitCode.BAD_INPUT);
            assertThat(refused.err()).contains("nothing was written").contains(PID + " " + misfit[1])
                    .contains("refused by " + SERVICE + " 1.0.0");
        }
        assertThat(JSON.readTree(run("config", "get", SERVICE, "--json").out()).path("revision").asLong())
                .isEqualTo(at);
        assertThat(greet()).as("the containers never saw it").isEqualTo(answer);
    }

    @Test
    @Order(6)
    void aReleaseTheCurrentConfigurationDoesNotFitIsRefusedUnlessForced() throws Exception {
        // a service with no release yet: its configuration is checked against nothing when written
        CliRunner set = run("config", "set", "strict-greeter", PID, "emphasis=9", "--no-wait");
        assertThat(set.exitCode()).as(set.err()).isZero();
        Path jar = home.resolve(SERVICE + ".jar");

        CliRunner refused = run("deploy", jar.toString(), "--service", "strict-greeter");
        assertThat(refused.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(refused.err()).contains("does not fit this release").contains(PID + " emphasis: '9' is out of"
                + " bounds").contains("--force");
        assertThat(run("releases", "strict-greeter").out()).doesNotContain("1.0.0");

        CliRunner forced = run("deploy", jar.toString(), "--service", "strict-greeter", "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
    }

    @Test
    @Order(7)
    void aDryRunShowsTheChangeAndWhereItWouldGoAndWritesNothing() throws Exception {
        JsonNode current = JSON.readTree(run("config", "get", SERVICE, PID, "--json").out());
        String salutation = current.path("pids").path(PID).path("salutation").asText();
        String answer = greet();
        CliRunner dry = run("config", "set", SERVICE, PID, "salutation=Maybe", "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("nothing was written").contains("~ salutation: " + salutation + " -> Maybe")
                .contains("it would reach 2 running container(s)");
        CliRunner misfit = run("config", "set", SERVICE, PID, "emphasis=99", "--dry-run");
        assertThat(misfit.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(JSON.readTree(run("config", "get", SERVICE, "--json").out()).path("revision").asLong())
                .isEqualTo(current.path("revision").asLong());
        assertThat(greet()).isEqualTo(answer);
    }

    @Test
    @Order(8)
    void aCanaryByNodeAndByVersionRangeTheMostSpecificWinning() throws Exception {
        String node1 = cluster.nodes().get(0).nodeId();
        Object before = cluster.nodes().get(1).configuration(SERVICE, "1.0.0", PID).get("salutation");
        CliRunner canary = run("config", "set", SERVICE, PID, "salutation=Canary", "--nodes", node1);
        assertThat(canary.exitCode()).as(canary.err()).isZero();
        assertThat(cluster.nodes().get(0).configuration(SERVICE, "1.0.0", PID)).containsEntry("salutation",
                "Canary");
        assertThat(cluster.nodes().get(1).configuration(SERVICE, "1.0.0", PID).get("salutation"))
                .as("the other node is not in the canary").isEqualTo(before);

        CliRunner ranged = run("config", "set", SERVICE, PID, "salutation=Ranged", "--range", "[1.0,1.1)");
        assertThat(ranged.exitCode()).as(ranged.err()).isZero();
        assertThat(cluster.nodes().get(1).configuration(SERVICE, "1.0.0", PID)).containsEntry("salutation",
                "Ranged");
        assertThat(cluster.nodes().get(0).configuration(SERVICE, "1.0.0", PID))
                .as("a node target is more specific than a range").containsEntry("salutation", "Canary");
        assertThat(run("config", "get", SERVICE).out()).contains(PID + " @" + node1).contains(PID + " [1.0.0,1.1.0)");

        CliRunner misfit = run("config", "set", SERVICE, PID, "emphasis=9", "--nodes", node1);
        assertThat(misfit.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(misfit.err()).contains(PID + " @" + node1 + " emphasis: '9' is out of bounds");
        CliRunner bad = run("config", "set", SERVICE, PID, "x=1", "--range", "[2,1");
        assertThat(bad.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
    }

    @Test
    @Order(9)
    void aSecretIsNeverPrintedAndReadableByTheNodesOnly() throws Exception {
        String secret = "s3cret-value-42";
        // apiKey is a Password in the release's Metatype: secret without being told; on the range entry node-2 gets
        CliRunner set = run("config", "set", SERVICE, PID, "apiKey=" + secret, "--range", "[1.0,1.1)");
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out() + set.err()).doesNotContain(secret);
        assertThat(cluster.nodes().get(1).configuration(SERVICE, "1.0.0", PID)).as("the container has it")
                .containsEntry("apiKey", secret);

        JsonNode current = JSON.readTree(run("config", "get", SERVICE, "--json").out());
        assertThat(current.toString()).doesNotContain(secret).contains("\"apiKey\":\"***\"");
        long at = current.path("revision").asLong();
        for (CliRunner shown : List.of(run("config", "history", SERVICE), run("config", "history", SERVICE, "--json"),
                run("config", "diff", SERVICE, Long.toString(at - 1), Long.toString(at)),
                run("config", "get", SERVICE))) {
            assertThat(shown.out() + shown.err()).doesNotContain(secret);
        }
        assertThat(run("config", "history", SERVICE).out()).contains("+ apiKey = ***");

        // the reader identity may read the revision, not the secrets beside it
        try (org.apache.curator.framework.CuratorFramework reader = org.apache.curator.framework
                .CuratorFrameworkFactory.builder().connectString(zk).retryPolicy(
                        new org.apache.curator.retry.RetryOneTime(200)).authorization("digest",
                        RegistryCredentials.forReader(RegistryCredentials.readerSecret(CliRunner.QUORUM_TOKEN))
                                .authInfo()).build()) {
            reader.start();
            String path = String.format(java.util.Locale.ROOT, "/vessel/configurations/%s/secrets-%010d", SERVICE, at);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> reader.getData().forPath(path))
                    .isInstanceOf(org.apache.zookeeper.KeeperException.NoAuthException.class);
            assertThat(new String(reader.getData().forPath(String.format(java.util.Locale.ROOT,
                    "/vessel/configurations/%s/rev-%010d", SERVICE, at)))).doesNotContain(secret);
        }

        // a later change of another key, made from the masked revision, keeps the secret
        assertThat(run("config", "set", SERVICE, PID, "salutation=Again", "--range", "[1.0,1.1)").exitCode())
                .isZero();
        assertThat(cluster.nodes().get(1).configuration(SERVICE, "1.0.0", PID)).containsEntry("apiKey", secret)
                .containsEntry("salutation", "Again");
    }

    /**
     * A component whose modified method throws keeps what it had; {@code config set} says which container refused
     * the revision and why, exits FAILED, and {@code config status} shows the same until a good revision follows.
     */
    @Test
    @Order(10)
    void aComponentThatRefusesAValueIsReportedAndKeepsServing() throws Exception {
        dev.vessel.host.VesselNode refusing = cluster.nodes().get(1);
        CliRunner blank = run("config", "set", SERVICE, PID, "salutation= ", "--range", "[1.0,1.1)");
        assertThat(blank.exitCode()).as(blank.err()).isEqualTo(ExitCode.FAILED);
        assertThat(blank.out()).contains(refusing.nodeId() + "  1.0.0  REFUSED: revision ")
                .contains("ConfigurableGreeterComponent refused it")
                .contains("the salutation must not be blank");
        assertThat(refusing.configuration(SERVICE, "1.0.0", PID)).as("Configuration Admin holds it")
                .containsEntry("salutation", " ");

        JsonNode status = JSON.readTree(run("config", "status", SERVICE, "--json").out());
        assertThat(status.path("containers").findValuesAsText("error"))
                .anyMatch(e -> e.contains("the salutation must not be blank"));
        // the component answers with the values it had before (node 1 has its canary entry)
        assertThat(answers()).containsOnly("Canary", "Again");

        CliRunner fixed = run("config", "set", SERVICE, PID, "salutation=Fine", "--range", "[1.0,1.1)");
        assertThat(fixed.exitCode()).as(fixed.err()).isZero();
        assertThat(JSON.readTree(run("config", "status", SERVICE, "--json").out()).path("containers")
                .findValuesAsText("error")).noneMatch(e -> e.contains("refused"));
        assertThat(answers()).containsOnly("Canary", "Fine");
    }

    /**
     * The read verbs of a recorded cluster ask a node (here the recorded ZooKeeper address is wrong): the same
     * answers as through ZooKeeper, secret values masked the same way, and an unknown revision is still "not found".
     */
    @Test
    @Order(11)
    void theReadVerbsOfARecordedClusterAskANodeAndAnswerAsZooKeeperDoes(@TempDir Path dir) throws Exception {
        JsonNode getViaZooKeeper = JSON.readTree(run("config", "get", SERVICE, "--json").out());
        String historyViaZooKeeper = run("config", "history", SERVICE, "--json").out();
        String diffViaZooKeeper = run("config", "diff", SERVICE, "1", "2", "--json").out();
        JsonNode statusViaZooKeeper = JSON.readTree(run("config", "status", SERVICE, "--json").out());
        String previous = System.getProperty("vessel.home");
        System.setProperty("vessel.home", dir.toString());
        try {
            VesselHome.resolve().writeCluster(new VesselHome.ClusterInfo("127.0.0.1:1", "/vessel", List.of(
                    new VesselHome.NodeAddress("node-1", server)), ProcessHandle.current().pid(),
                    System.currentTimeMillis(), CliRunner.QUORUM_TOKEN, null, null, false));
            CliRunner get = CliRunner.run("config", "get", SERVICE, "--json");
            assertThat(get.exitCode()).as(get.err()).isZero();
            assertThat(JSON.readTree(get.out())).isEqualTo(getViaZooKeeper);
            assertThat(get.out()).as("secret values stay masked").doesNotContain("s3cret-value-42");
            assertThat(JSON.readTree(get.out()).findValuesAsText("apiKey")).containsExactly("***");
            assertThat(CliRunner.run("config", "history", SERVICE, "--json").out()).isEqualTo(historyViaZooKeeper);
            assertThat(CliRunner.run("config", "diff", SERVICE, "1", "2", "--json").out())
                    .isEqualTo(diffViaZooKeeper);
            CliRunner status = CliRunner.run("config", "status", SERVICE, "--json");
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(JSON.readTree(status.out())).isEqualTo(statusViaZooKeeper);
            CliRunner unknown = CliRunner.run("config", "get", SERVICE, "--revision", "999");
            assertThat(unknown.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(unknown.err()).contains("configuration of " + SERVICE + " has no revision 999 (it is at "
                    + getViaZooKeeper.path("revision").asLong() + ")");
        } finally {
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }

    /** The salutations of ten calls, whichever node answers each. */
    private static List<String> answers() {
        List<String> salutations = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String answer = greet();
            salutations.add(answer.substring(1, answer.indexOf(',')));
        }
        return salutations;
    }
}
