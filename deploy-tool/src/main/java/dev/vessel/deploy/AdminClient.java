package dev.vessel.deploy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.ReleaseManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Talks to one node's admin API ({@code /v1/admin/...}) with the cluster's bearer token. */
public final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final URI node;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public AdminClient(URI node, String token) {
        this.node = requireNonNull(node, "node cannot be null");
        this.token = requireNonNull(token, "token cannot be null");
    }

    public URI node() {
        return node;
    }

    /** A jar as uploaded: its digest and the name it had. */
    public record Uploaded(String sha256, String fileName, long size, boolean created) {}

    /** Streams {@code jar} to the node unless it already holds that content; either way returns its digest. */
    public Uploaded upload(Path jar) {
        String sha256 = sha256(jar);
        try {
            if (holds(sha256)) {
                return new Uploaded(sha256, jar.getFileName().toString(), Files.size(jar), false);
            }
            JsonNode answer = send(request("artifacts/" + sha256)
                    .header("Content-Type", "application/java-archive")
                    .PUT(HttpRequest.BodyPublishers.ofFile(jar)).build());
            return new Uploaded(sha256, jar.getFileName().toString(), answer.path("size").asLong(),
                    answer.path("created").asBoolean());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + jar + " to " + node + ": " + e.getMessage(), e);
        }
    }

    private boolean holds(String sha256) throws IOException {
        try {
            return http.send(request("artifacts/" + sha256).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Validates the uploaded jars as a release and, unless {@code dryRun}, stores its manifest. */
    public ReleaseManifest createRelease(List<Uploaded> jars, String service, boolean force, boolean dryRun,
            String by) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("artifacts", jars.stream().map(j -> Map.of("sha256", j.sha256(), "fileName", j.fileName())).toList());
        body.put("service", service);
        body.put("force", force);
        body.put("dryRun", dryRun);
        body.put("by", by);
        JsonNode answer = post("releases", body);
        return JSON.convertValue(answer.path("release"), ReleaseManifest.class);
    }

    /** A change to a service's desired state; see the admin API for the actions. */
    public record Change(String action, String version, Integer weight, String nodes, Long expectedRevision,
            Long toRevision, String by) {}

    public Deployment change(String service, Change change) {
        return JSON.convertValue(post("deployments/" + service, change).path("deployment"), Deployment.class);
    }

    private JsonNode post(String path, Object body) {
        try {
            return send(request(path).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the admin API of " + node + ": " + e.getMessage(), e);
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(node.resolve("/v1/admin/" + path))
                .timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + token);
    }

    private JsonNode send(HttpRequest request) throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        JsonNode body = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() >= 300) {
            throw new AdminException(response.statusCode(), body.path("error").asText("HTTP_" + response.statusCode()),
                    body.path("message").asText(body.toString()));
        }
        return body;
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
