package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.jar;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.ChunkList;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The admin API's contract with careless and hostile clients: every answer is {@code {"error", "message"}} JSON
 * with a specific code, uploads are idempotent and validated, and nothing a request does can keep the node from
 * starting again.
 */
class AdminApiContractTest extends SingleNodeTestBase {
    private static final String TOKEN = "contract-test-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int CHUNK = 4096;

    @Override
    protected NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config.adminToken(TOKEN);
    }

    @Test
    void aChunkPutAgainForACompleteArtifactChangesNothingAndTheNodeStillStarts() throws Exception {
        Path greeter = jar("greeter-1.0.0");
        String sha = sha256(Files.readAllBytes(greeter));
        ChunkList chunks = ChunkList.compute(greeter, CHUNK);
        assertThat(chunks.count()).isGreaterThan(1);
        HttpResponse<String> started = start(sha, Files.size(greeter), chunks);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        byte[] bytes = Files.readAllBytes(greeter);
        for (int i = 0; i < chunks.count(); i++) {
            assertThat(putChunk(sha, i, chunk(bytes, i)).statusCode()).isEqualTo(200);
        }
        Path chunksFile = data.resolve("artifacts").resolve(sha + ".chunks");
        byte[] onDisk = Files.readAllBytes(chunksFile);

        // a client retrying an upload of an artifact that is complete: nothing changes, and it says so
        HttpResponse<String> again = putChunk(sha, 0, chunk(bytes, 0));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).path("changed").asBoolean(true)).isFalse();
        assertThat(JSON.readTree(again.body()).path("complete").asBoolean()).isTrue();
        HttpResponse<String> garbage = putChunk(sha, 7, "not a chunk".getBytes());
        assertThat(garbage.statusCode()).isEqualTo(200);
        assertThat(Files.readAllBytes(chunksFile)).isEqualTo(onDisk);

        node.close();
        node = VesselNode.start(configure(NodeTestSupport.config(zk.getConnectString(), data)).build());
        assertThat(get("/v1/admin/artifacts/" + sha).statusCode()).isEqualTo(200);
    }

    @Test
    void aStartIsCheckedAgainstItselfAndAgainstAnUploadUnderWay() throws Exception {
        Path greeter = jar("greeter-1.0.0");
        String sha = sha256(Files.readAllBytes(greeter));
        long size = Files.size(greeter);
        ChunkList chunks = ChunkList.compute(greeter, CHUNK);

        assertError(start(sha, -5, chunks), 400, "BAD_UPLOAD", "size must be at least 1 byte");
        assertError(start(sha, size * 2, chunks), 400, "BAD_UPLOAD", "digests were given");
        assertError(start(sha, size, new ChunkList(Integer.MAX_VALUE, chunks.digests().subList(0, 1))), 400,
                "BAD_UPLOAD", "chunkSize must be");
        assertError(start(sha, 1L << 40, chunks), 413, "TOO_LARGE", "limit");
        assertError(post("/v1/admin/artifacts/" + sha + "/upload", "{\"size\": 10, \"chunkSize\": 4096}"), 400,
                "BAD_REQUEST", "digests");

        // one chunk in, then a start cut another way is refused and the first upload resumes as it was
        assertThat(start(sha, size, chunks).statusCode()).isEqualTo(200);
        assertThat(putChunk(sha, 0, chunk(Files.readAllBytes(greeter), 0)).statusCode()).isEqualTo(200);
        ChunkList other = ChunkList.compute(greeter, CHUNK * 2);
        assertError(start(sha, size, other), 409, "UPLOAD_CONFLICT", "start it the same way to resume it");
        JsonNode resumed = JSON.readTree(start(sha, size, chunks).body());
        assertThat(resumed.path("missing")).extracting(JsonNode::asInt).doesNotContain(0).hasSize(chunks.count() - 1);

        // a chunk that is not what its digest says is thrown away, and an index out of range is refused
        assertError(putChunk(sha, 1, new byte[chunks.length(1, size)]), 400, "CHUNK_MISMATCH",
                "does not match its digest");
        assertError(putChunk(sha, chunks.count(), new byte[1]), 400, "BAD_CHUNK", "does not exist");
        assertError(putChunk(sha, 0, new byte[CHUNK * 3]), 413, "TOO_LARGE", "the request body is");
        assertThat(JSON.readTree(start(sha, size, chunks).body()).path("missing")).hasSize(chunks.count() - 1);
    }

    @Test
    void badBodiesGetSpecificJsonErrorsAndChangeNothing() throws Exception {
        assertError(post("/v1/admin/releases", "{\"artifacts\": [{\"fileName\": \"x.jar\"}]}"), 400, "BAD_REQUEST",
                "every entry needs its sha256");
        assertError(post("/v1/admin/releases", "{\"artifacts\": [{\"sha256\": \"" + "a".repeat(64) + "\"}]}]} junk"),
                400, "BAD_REQUEST", "Unexpected close marker");
        assertError(post("/v1/admin/releases", "{\"surprise\": 1, \"artifacts\": [{\"sha256\": \"" + "a".repeat(64)
                + "\"}]}"), 400, "BAD_REQUEST", "unknown field 'surprise'");
        assertError(post("/v1/admin/releases", "{\"artifacts\": []}"), 400, "BAD_REQUEST", "list the uploaded jars");
        assertError(post("/v1/admin/releases", "null"), 400, "BAD_REQUEST", "JSON null");
        assertError(post("/v1/admin/releases", "{\"by\": \"" + "x".repeat(1_100_000) + "\"}"), 413, "TOO_LARGE",
                "at most 1048576 bytes");
        assertError(post("/v1/admin/releases", "{\"artifacts\": [\"not an object\"]}"), 400, "BAD_REQUEST",
                "artifacts[0]: wrong type");
        assertError(post("/v1/admin/deployments/greeter", "{\"action\": \"retire\", \"version\": \"1.0.0\","
                + " \"by\": \"\\u001b[2Jmallory\"}"), 400, "BAD_REQUEST", "control character");
        assertError(post("/v1/admin/deployments/greeter", "{\"action\": \"deploy\", \"version\": \"1.0.0\","
                + " \"nodes\": \"" + "n".repeat(600) + "\"}"), 400, "BAD_REQUEST", "at most 512");
        assertError(post("/v1/admin/deployments/greeter", "{\"action\": \"launch\"}"), 400, "BAD_REQUEST",
                "action must be");
        assertError(post("/v1/admin/deployments/greeter", "{\"action\": \"deploy\", \"version\": \"1.0.0\","
                + " \"cpuLimit\": -1}"), 400, "BAD_REQUEST", "cpuLimit must be 0.01-1024 cores");
        assertError(post("/v1/admin/deployments/greeter", "{\"action\": \"deploy\", \"version\": \"1.0.0\","
                + " \"cpu\": 2, \"cpuLimit\": 0.5}"), 400, "BAD_REQUEST", "cannot be more than cpuLimit");
        assertThat(reader.curator().checkExists().forPath("/vessel/deployments/greeter")).isNull();
    }

    @Test
    void largeBodiesThatAreRefusedStillGetTheirAnswer() throws Exception {
        String sha = "c".repeat(64);
        byte[] zeros = new byte[150_000];
        for (int i = 0; i < 5; i++) {
            assertError(send(HttpRequest.newBuilder(uri("/v1/admin/artifacts/" + sha + "/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(zeros))), 400, "BAD_REQUEST", "unreadable");
            assertError(send(HttpRequest.newBuilder(uri("/v1/admin/artifacts/" + sha + "/upload"))
                    .method("DELETE", HttpRequest.BodyPublishers.ofByteArray(zeros))), 404, "NOT_FOUND", "DELETE");
            assertError(put("/v1/admin/artifacts/" + sha + "/chunks/0", zeros), 409, "NO_UPLOAD", "start the upload");
        }
    }

    @Test
    void requestsJettyRefusesItselfAreAnsweredInJsonToo() throws Exception {
        HttpResponse<String> huge = HTTP.send(HttpRequest.newBuilder(node.url().resolve("/v1/health"))
                .header("X-Padding", "p".repeat(20_000)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(huge.statusCode()).isEqualTo(431);
        assertThat(huge.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        assertThat(JSON.readTree(huge.body()).path("error").asText()).isEqualTo("HEADERS_TOO_LARGE");
    }

    @Test
    void anArtifactPutAgainChangesNothingAndALargeBodyIsNotReadAtAll() throws Exception {
        Path greeter = jar("greeter-1.0.0");
        String sha = sha256(Files.readAllBytes(greeter));
        HttpResponse<String> first = put("/v1/admin/artifacts/" + sha, Files.readAllBytes(greeter));
        assertThat(first.statusCode()).isEqualTo(201);
        HttpResponse<String> second = put("/v1/admin/artifacts/" + sha, Files.readAllBytes(greeter));
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(second.body()).path("created").asBoolean(true)).isFalse();
        assertThat(second.headers().firstValue("Connection")).as("a small body is discarded: keep-alive").isEmpty();
        // 5 MiB are not read: the answer says the connection ends. The client may still be sending when the node
        // closes, and TCP's reset can then discard the answer before the client reads it (docs/architecture.md,
        // "Answers before the body"): either way nothing is stored
        HttpResponse<String> large;
        try {
            large = put("/v1/admin/artifacts/" + sha, new byte[5 << 20]);
        } catch (IOException resetBeforeTheAnswerWasRead) {
            large = null;
        }
        if (large != null) {
            assertThat(large.statusCode()).isEqualTo(200);
            assertThat(large.headers().firstValue("Connection")).hasValue("close");
        }
        assertThat(Files.readAllBytes(data.resolve("artifacts").resolve(sha + ".jar")))
                .isEqualTo(Files.readAllBytes(greeter));
    }

    private HttpResponse<String> start(String sha, long size, ChunkList chunks) throws Exception {
        return post("/v1/admin/artifacts/" + sha + "/upload", JSON.writeValueAsString(Map.of("size", size,
                "chunkSize", chunks.chunkSize(), "digests", chunks.digests())));
    }

    private HttpResponse<String> putChunk(String sha, int index, byte[] bytes) throws Exception {
        return put("/v1/admin/artifacts/" + sha + "/chunks/" + index, bytes);
    }

    private static byte[] chunk(byte[] bytes, int index) {
        return Arrays.copyOfRange(bytes, index * CHUNK, Math.min(bytes.length, (index + 1) * CHUNK));
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> put(String path, byte[] body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return node.url().resolve(path);
    }

    static void assertError(HttpResponse<String> response, int status, String code, String messagePart)
            throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
                .startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(List.of(body.path("error").asText(), body.path("message").asText()))
                .satisfiesExactly(c -> assertThat(c).isEqualTo(code), m -> assertThat(m).contains(messagePart));
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
