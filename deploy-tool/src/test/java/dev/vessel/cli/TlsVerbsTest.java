package dev.vessel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.SelfSignedTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verbs against a local cluster that serves HTTPS: they work with its trust store and not without it. */
class TlsVerbsTest {
    @TempDir
    static Path home;

    private static LocalCluster cluster;
    private static SelfSignedTls.Files tls;
    private static String zk;
    private static String server;
    private static Path tokenFile;
    private static Path readerSecretFile;

    @BeforeAll
    static void start() throws Exception {
        String token = LocalCluster.newToken();
        tls = SelfSignedTls.generate(home.resolve("tls"), List.of("127.0.0.1"));
        cluster = LocalCluster.start(new LocalCluster.Settings(home, 1, 0, CliRunner.freePort(), "127.0.0.1", true,
                token, tls));
        zk = cluster.zkConnect();
        server = cluster.nodes().get(0).url().toString();
        tokenFile = Files.writeString(home.resolve("token"), token);
        readerSecretFile = Files.writeString(home.resolve("reader-secret"),
                dev.vessel.registry.RegistryCredentials.readerSecret(token));
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
    void callAndAdminVerbsGoOverHttpsWithTheClustersTrustStore() {
        assertThat(server).startsWith("https://");
        CliRunner call = cli("call", "greeter", "greeter", "greet", "Ada", "--range", "[1.0,2.0)", "--zk", zk,
                "--trust-store", tls.trustStore().toString(), "--trust-store-password", tls.trustStorePassword());
        assertThat(call.exitCode()).as(call.err()).isEqualTo(0);
        assertThat(call.out().trim()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");

        CliRunner retire = cli("retire", "greeter", "1.0.0", "--zk", zk, "--server", server, "--token-file",
                tokenFile.toString(), "--trust-store", tls.trustStore().toString(), "--trust-store-password",
                tls.trustStorePassword());
        assertThat(retire.exitCode()).as(retire.err()).isEqualTo(0);
    }

    @Test
    void withoutTheTrustStoreNothingGetsThroughAndTheErrorSaysWhy() {
        CliRunner call = cli("call", "greeter", "greeter", "greet", "Ada", "--range", "[2.0,3.0)", "--zk", zk,
                "--attempt-timeout", "500");
        assertThat(call.exitCode()).isNotZero();

        CliRunner promote = cli("promote", "greeter", "2.0.0", "--zk", zk, "--server", server, "--token-file",
                tokenFile.toString());
        assertThat(promote.exitCode()).isNotZero();
        assertThat(promote.err()).contains(server).contains("PKIX path building failed");

        CliRunner wrongPassword = cli("promote", "greeter", "2.0.0", "--zk", zk, "--server", server,
                "--token-file", tokenFile.toString(), "--trust-store", tls.trustStore().toString(),
                "--trust-store-password", "not-the-password");
        assertThat(wrongPassword.exitCode()).isEqualTo(ExitCode.BAD_INPUT);
        assertThat(wrongPassword.err()).contains("cannot read trust store " + tls.trustStore());
    }
}
