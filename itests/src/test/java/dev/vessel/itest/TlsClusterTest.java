package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.ContainerInfo;
import dev.vessel.host.SelfSignedTls;
import dev.vessel.host.VesselNode;
import dev.vessel.host.FetchReport;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.TlsTrust;
import dev.vessel.router.VesselClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose nodes serve HTTPS: the CLI's admin client, nodes fetching from each other and the public client
 * all go over TLS, and each must trust the cluster's certificate; plain HTTP gets no answer.
 */
class TlsClusterTest {
    @TempDir
    Path data;

    @Test
    void everyHopIsHttpsAndOnlyClientsTrustingTheClusterGetIn() throws Exception {
        SelfSignedTls.Files tls = SelfSignedTls.generate(data.resolve("tls"), List.of());
        SSLContext trust = TlsTrust.context(tls.trustStore(), tls.trustStorePassword());
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode origin = cluster.addNode("origin", config -> config.tls(tls.nodeTls())
                    .headerTimeout(Duration.ofSeconds(1)));
            VesselNode fetcher = cluster.addNode("fetcher", config -> config.tls(tls.nodeTls()));
            assertThat(origin.url().getScheme()).isEqualTo("https");

            // the upload goes to the origin; the fetcher, the only node asked to run it, fetches it over HTTPS
            AdminClient admin = new AdminClient(origin.url(), DeployCluster.TOKEN, trust);
            Rollout.Result result = new Rollout(admin, cluster.registry(), (phase, convergence) -> { }).deploy(
                    new Rollout.Request(List.of(SampleReleases.bundle("greeter-1.0.0")), null, 100, false,
                            "fetcher", false, true, false, Duration.ofSeconds(60), "itest"));
            assertThat(result.ok()).as(String.valueOf(result.failures())).isTrue();
            assertThat(fetcher.fetchReports()).singleElement().extracting(FetchReport::fromNode)
                    .satisfies(from -> assertThat(from).containsOnlyKeys("origin"));
            assertThat(fetcher.containers()).extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE);

            try (VesselClient client = VesselClient.builder().connectString(cluster.zkConnect()).tls(trust).build()) {
                assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").text())
                        .isEqualTo("Hello, Ada! (greeter 1.0.0)");
            }
            try (VesselClient plain = VesselClient.builder().connectString(cluster.zkConnect())
                    .callTimeout(Duration.ofSeconds(3)).build()) {
                assertThatThrownBy(() -> plain.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada"))
                        .as("plain HTTP to an HTTPS node gets no answer").isInstanceOf(RuntimeException.class);
            }
            AdminClient untrusting = new AdminClient(origin.url(), DeployCluster.TOKEN);
            assertThatThrownBy(() -> untrusting.upload(SampleReleases.bundle("greeter-1.1.0")))
                    .as("a client that does not trust the cluster's certificate").hasCauseInstanceOf(
                            SSLHandshakeException.class).hasStackTraceContaining("PKIX path building failed");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI plainHealth = URI.create("http://127.0.0.1:" + origin.port() + "/v1/health");
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(plainHealth).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
            // headers that never end are cut off under TLS too
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trust.getSocketFactory().createSocket(
                    "127.0.0.1", origin.port())) {
                socket.setSoTimeout(8_000);
                socket.getOutputStream().write("POST /v1/call/greeter/1.0.0/greeter/greet HTTP/1.1\r\nX-Slow: a"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                assertThat(socket.getInputStream().read()).as("closed by the 1 s header timeout").isEqualTo(-1);
            }
            HttpClient trusting = HttpClient.newBuilder().sslContext(trust).build();
            assertThat(trusting.send(HttpRequest.newBuilder(origin.url().resolve("/v1/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
