package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.SelfSignedTls;
import dev.vessel.registry.RegistryCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vessel up --nodes 3 --tls}: the nodes serve HTTPS and run their quorum over TLS; the CLI's read verbs and
 * {@code vessel call} reach the quorum over TLS with the cluster's trust store, and with another trust store get
 * no session and an error that says so.
 */
class QuorumTlsVerbsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    private static LocalCluster cluster;
    private static SelfSignedTls.Files tls;
    private static String zk;
    private static Path readerSecret;

    @BeforeAll
    static void start() throws Exception {
        tls = SelfSignedTls.generate(home.resolve("tls"), List.of("127.0.0.1"));
        cluster = LocalCluster.start(new LocalCluster.Settings(home, 3, 0, CliRunner.freePorts(3), "127.0.0.1", true,
                CliRunner.QUORUM_TOKEN, tls));
        zk = cluster.zkConnect();
        readerSecret = Files.writeString(home.resolve("reader-secret"), RegistryCredentials.readerSecret(
                CliRunner.QUORUM_TOKEN));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static String[] withTls(Path trustStore, String password, String... verb) {
        List<String> args = new java.util.ArrayList<>(List.of(verb));
        args.addAll(List.of("--zk", zk, "--zk-tls", "--trust-store", trustStore.toString(), "--trust-store-password",
                password, "--reader-secret-file", readerSecret.toString()));
        return args.toArray(String[]::new);
    }

    @Test
    void theClustersOwnSessionsAndTheNodesMembersUseTls() throws Exception {
        assertThat(cluster.zkTls()).isTrue();
        for (int i = 1; i <= 3; i++) {
            assertThat(Files.readString(home.resolve("nodes").resolve("node-" + i).resolve("quorum").resolve("zoo.cfg")))
                    .contains("sslQuorum=true").contains("client.portUnification=true")
                    .doesNotContain(tls.keyStorePassword());
        }
    }

    @Test
    void readVerbsAndCallsReachTheQuorumOverTls() throws Exception {
        CliRunner status = CliRunner.run(withTls(tls.trustStore(), tls.trustStorePassword(), "quorum", "status",
                "--json"));
        assertThat(status.exitCode()).as(status.err()).isZero();
        JsonNode members = JSON.readTree(status.out()).path("members");
        assertThat(members.findValuesAsText("role")).containsOnly("participant").hasSize(3);

        CliRunner call = CliRunner.run(withTls(tls.trustStore(), tls.trustStorePassword(), "call", "greeter",
                "greeter", "greet", "Ada", "--range", "[1.0,2.0)"));
        assertThat(call.exitCode()).as(call.err()).isZero();
        assertThat(call.out().trim()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
    }

    @Test
    void aTrustStoreWithoutTheClustersCertificateGetsNoSessionAndSaysWhy() {
        SelfSignedTls.Files other = SelfSignedTls.generate(home.resolve("other-tls"), List.of("127.0.0.1"));
        CliRunner status = CliRunner.run(withTls(other.trustStore(), other.trustStorePassword(), "quorum", "status"));
        assertThat(status.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(status.err()).contains("over TLS").contains(other.trustStore().toString());

        CliRunner wrongPassword = CliRunner.run(withTls(tls.trustStore(), "not-the-password", "quorum", "status"));
        assertThat(wrongPassword.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(wrongPassword.err()).contains("cannot read trust store " + tls.trustStore());
    }

    @Test
    void verbsOnTheMachineThatRunsTheClusterUseTheTlsItRecorded() {
        String previous = System.getProperty("vessel.home");
        Path recorded = home.resolve("recorded-home");
        System.setProperty("vessel.home", recorded.toString());
        try {
            VesselHome vesselHome = VesselHome.resolve();
            vesselHome.writeCluster(new VesselHome.ClusterInfo(zk, "/vessel", List.of(), ProcessHandle.current().pid(),
                    System.currentTimeMillis(), CliRunner.QUORUM_TOKEN, tls.trustStore().toString(),
                    tls.trustStorePassword(), true));
            CliRunner status = CliRunner.run("quorum", "status");
            assertThat(status.exitCode()).as(status.err()).isZero();
            assertThat(status.out()).contains("participant");

            // the recorded choice is what is used: recorded with a trust store the quorum does not match, it fails
            SelfSignedTls.Files other = SelfSignedTls.generate(home.resolve("recorded-other"), List.of("127.0.0.1"));
            vesselHome.writeCluster(new VesselHome.ClusterInfo(zk, "/vessel", List.of(), ProcessHandle.current().pid(),
                    System.currentTimeMillis(), CliRunner.QUORUM_TOKEN, other.trustStore().toString(),
                    other.trustStorePassword(), true));
            CliRunner refused = CliRunner.run("quorum", "status");
            assertThat(refused.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
            assertThat(refused.err()).contains("over TLS");
        } finally {
            if (previous == null) {
                System.clearProperty("vessel.home");
            } else {
                System.setProperty("vessel.home", previous);
            }
        }
    }
}
