package dev.vessel.host;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Sample releases built by this reactor, and plain HTTP against a node. */
final class NodeTestSupport {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private NodeTestSupport() {}

    static Path jar(String name) {
        String dir = System.getProperty("vessel.test.releases");
        if (dir == null) {
            throw new IllegalStateException("run through Maven: vessel.test.releases is not set");
        }
        return Path.of(dir, name + ".jar");
    }

    static Release release(String name) {
        return ReleaseReader.read(List.of(jar(name)));
    }

    /** The admin token of test nodes unless a test sets its own. */
    static final String ADMIN_TOKEN = "test-admin-token";

    static NodeConfig.Builder config(String zk, Path dataDir) {
        return NodeConfig.builder(zk, dataDir).port(0).nodeId("n1").readyTimeout(Duration.ofSeconds(10))
                .adminToken(ADMIN_TOKEN);
    }

    static HttpResponse<String> post(VesselNode node, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(node.url().resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The value of one series of a {@code /metrics} scrape (a name and its labels as Prometheus writes them,
     * sorted), or -1 if absent.
     */
    static double metric(String scrape, String series) {
        java.util.regex.Matcher line = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(series)
                + " (\\S+)$").matcher(scrape);
        return line.find() ? Double.parseDouble(line.group(1)) : -1;
    }

    static HttpResponse<String> get(VesselNode node, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(node.url().resolve(path)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> call(VesselNode node, String version, String method, String body)
            throws IOException, InterruptedException {
        return post(node, "/v1/call/greeter/" + version + "/greeter/" + method, body);
    }
}
