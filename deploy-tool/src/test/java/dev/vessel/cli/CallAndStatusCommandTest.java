package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verbs against a real local cluster: two nodes that run the quorum (so a secured registry, which the verbs
 * read with the reader secret), the demo releases.
 */
class CallAndStatusCommandTest {
    @TempDir
    static Path home;

    private static LocalCluster cluster;
    private static String zk;
    private static Path readerSecret;

    @BeforeAll
    static void start() {
        cluster = LocalCluster.start(new LocalCluster.Settings(home, 2, 0, CliRunner.freePorts(2), "127.0.0.1", true,
                CliRunner.QUORUM_TOKEN));
        zk = cluster.zkConnect();
        try {
            readerSecret = java.nio.file.Files.writeString(home.resolve("reader-secret"),
                    dev.vessel.registry.RegistryCredentials.readerSecret(CliRunner.QUORUM_TOKEN));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The verb's arguments with the reader secret: read verbs need it against a secured registry. */
    private static CliRunner run(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--reader-secret-file";
        all[args.length + 1] = readerSecret.toString();
        return CliRunner.run(all);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void callPrintsTheResultAndWhichVersionAnswered() {
        CliRunner run = run("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)", "--zk", zk);
        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out().trim()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
        assertThat(run.err()).contains("answered by greeter 1.1.0");
    }

    /**
     * With stdout and stderr on one pipe (2>&1), the result's line is complete before "answered by" starts, even
     * when stdout is buffered and stderr is not.
     */
    @Test
    void onOnePipeTheResultLineComesBeforeTheStderrLine() {
        java.io.StringWriter pipe = new java.io.StringWriter();
        java.io.PrintWriter stdout = new java.io.PrintWriter(new java.io.BufferedWriter(pipe, 8192), false);
        java.io.PrintWriter stderr = new java.io.PrintWriter(pipe, true);
        int code = Main.run(stdout, stderr, "call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)",
                "--zk", zk, "--reader-secret-file", readerSecret.toString());
        assertThat(code).as(pipe.toString()).isZero();
        assertThat(pipe.toString()).startsWith("\"Hello, Ada! (greeter 1.1.0)\"\nanswered by greeter 1.1.0 (");
    }

    @Test
    void aNonPositiveAttemptTimeoutIsBadInput() {
        CliRunner run = run("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)", "--zk", zk,
                "--attempt-timeout", "0");
        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(run.err()).contains("--attempt-timeout must be at least 1 ms");
    }

    @Test
    void callWithJsonPrintsOneObject() throws Exception {
        CliRunner run = run("call", "greeter", "greeter", "greet", "\"Ada\"", "de", "--range", "[2.0,3.0)",
                "--zk", zk, "--json");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        JsonNode answer = new ObjectMapper().readTree(run.out());
        assertThat(answer.path("result").path("message").asText()).isEqualTo("Hallo, Ada! (greeter 2.0.0)");
        assertThat(answer.path("version").asText()).isEqualTo("2.0.0");
        assertThat(answer.path("instance").asText()).matches("node-[12]\\.greeter-2\\.0\\.0");
    }

    @Test
    void aRoutingKeyLandsOnTheSameInstanceFromEveryClient() throws Exception {
        java.util.Set<String> forOneKey = new java.util.HashSet<>();
        for (int i = 0; i < 4; i++) { // each run is a new process-level client with its own routing table
            CliRunner run = run("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)",
                    "--zk", zk, "--json", "--key", "user-7", "--idempotent");
            assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
            forOneKey.add(new ObjectMapper().readTree(run.out()).path("instance").asText());
        }
        assertThat(forOneKey).hasSize(1);
    }

    @Test
    void jsonArgumentsKeepTheirTypes() {
        CliRunner run = run("call", "greeter", "greeter", "greetAll", "[\"Ada\",\"Grace\"]", "--range",
                "[1.1,2.0)", "--zk", zk);
        assertThat(run.out().trim()).isEqualTo("\"Hello, Ada and Grace! (greeter 1.1.0)\"");
    }

    @Test
    void exitCodesSayWhatWentWrong() {
        CliRunner none = run("call", "greeter", "greeter", "greet", "Ada", "--range", "[3.0,4.0)", "--zk", zk);
        assertThat(none.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(none.err()).contains("ACTIVE versions: 1.0.0, 1.1.0, 2.0.0");

        CliRunner threw = run("call", "greeter", "greeter", "greet", "Ada", "xx", "--range", "[2.0,3.0)",
                "--zk", zk);
        assertThat(threw.exitCode()).isEqualTo(ExitCode.FAILED);
        assertThat(threw.err()).contains("METHOD_THREW").contains("unsupported language 'xx'");

        CliRunner badRange = run("call", "greeter", "greeter", "greet", "--range", "1.0-2.0", "--zk", zk);
        assertThat(badRange.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(badRange.err()).contains("'1.0-2.0' is not an OSGi version range");

        CliRunner missingRange = run("call", "greeter", "greeter", "greet", "--zk", zk);
        assertThat(missingRange.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(missingRange.err()).contains("Missing required option: '--range=RANGE'");
    }

    @Test
    void withoutZkAndWithoutARecordedClusterTheVerbSaysHowToGetOne(@TempDir Path emptyHome) {
        String previous = System.getProperty("vessel.home");
        System.setProperty("vessel.home", emptyHome.toString());
        try {
            CliRunner run = CliRunner.run("status");
            assertThat(run.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(run.err()).contains("no --zk given and no running cluster recorded in " + emptyHome)
                    .contains("vessel up");
        } finally {
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }

    @Test
    void aReadVerbWithoutTheReaderSecretIsToldWhatItNeeds(@TempDir Path emptyHome) {
        String previous = System.getProperty("vessel.home");
        System.setProperty("vessel.home", emptyHome.toString()); // no recorded token to derive the secret from
        try {
            CliRunner run = CliRunner.run("status", "--zk", zk);
            assertThat(run.exitCode()).isEqualTo(ExitCode.UNAUTHORIZED);
            assertThat(run.err()).contains("is secured and this client gave no credential")
                    .contains("reader secret");
            CliRunner reader = CliRunner.run("quorum", "reader-secret", "--token-file", java.nio.file.Files.writeString(
                    emptyHome.resolve("token"), CliRunner.QUORUM_TOKEN).toString());
            assertThat(reader.exitCode()).as(reader.err()).isZero();
            assertThat(reader.out().trim()).isEqualTo(dev.vessel.registry.RegistryCredentials.readerSecret(
                    CliRunner.QUORUM_TOKEN));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }

    @Test
    void statusShowsEveryNodeAndContainer() throws Exception {
        CliRunner table = run("status", "--zk", zk);
        assertThat(table.exitCode()).as(table.err()).isEqualTo(0);
        assertThat(table.out()).contains("NODE", "VERSION", "STATE", "REGISTERED", "LOAD");
        assertThat(table.out().lines().filter(l -> l.contains("greeter") && l.contains("ACTIVE") && l.contains("yes")))
                .hasSize(6);

        CliRunner json = run("status", "--zk", zk, "--json");
        JsonNode status = new ObjectMapper().readTree(json.out());
        assertThat(status.path("nodes")).hasSize(2);
        JsonNode first = status.path("nodes").get(0);
        assertThat(first.path("id").asText()).isEqualTo("node-1");
        assertThat(first.path("containers")).extracting(c -> c.path("version").asText())
                .containsExactly("1.0.0", "1.1.0", "2.0.0");
        assertThat(first.path("containers")).allSatisfy(c -> {
            assertThat(c.path("state").asText()).isEqualTo("ACTIVE");
            assertThat(c.path("registered").asBoolean()).isTrue();
            assertThat(c.path("load").isNumber()).as("the load the node published").isTrue();
        });
    }
}
