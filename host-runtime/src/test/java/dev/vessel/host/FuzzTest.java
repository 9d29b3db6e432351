package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.jar;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.ChunkList;
import dev.vessel.registry.InstanceState;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every route gets malformed, oversized, truncated, wrong-typed and out-of-order requests: a table of known bad
 * requests, then a seeded random mutator of valid ones. Every answer must be JSON (never an HTML page), no
 * answer may be a 500 other than a release's own METHOD_THREW, and after each batch the node answers health,
 * its container still serves, and at the end it restarts. {@code -Dvessel.fuzz.requests=N} and
 * {@code -Dvessel.fuzz.seed=S} change the run (the benchmark run uses 100,000); it prints what it tried.
 */
class FuzzTest extends SingleNodeTestBase {
    private static final String TOKEN = "fuzz-test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCH = 250;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Integer> statuses = new TreeMap<>();
    private final List<String> violations = new ArrayList<>();
    private byte[] jarBytes;
    private String sha;
    private String previous = "";
    private ChunkList chunks;

    @Override
    protected NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config.adminToken(TOKEN).maxRequestBytes(64 * 1024).bodyTimeout(Duration.ofSeconds(2));
    }

    /** One request as the fuzzer sends it. */
    private record Req(String method, String path, Map<String, String> headers, byte[] body) {
        Req with(String newPath, byte[] newBody) {
            return new Req(method, newPath, headers, newBody);
        }
    }

    @Test
    void noRequestGetsHtmlOrA500OrDisturbsWhatServes() throws Exception {
        int total = Integer.getInteger("vessel.fuzz.requests", 3_000);
        long seed = Long.getLong("vessel.fuzz.seed", 20261202L);
        assertThat(deploy(release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);
        jarBytes = Files.readAllBytes(jar("greeter-1.0.0"));
        sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jarBytes));
        chunks = ChunkList.compute(jar("greeter-1.0.0"), 2048);

        int sent = 0;
        for (String raw : rawRequests()) {
            checkRaw(raw);
            sent++;
        }
        Random random = new Random(seed);
        List<Req> valid = validRequests();
        while (sent < total) {
            for (int i = 0; i < BATCH && sent < total; i++, sent++) {
                Req base = valid.get(random.nextInt(valid.size()));
                check(mutate(base, random));
            }
            assertStillServing();
        }
        node.close();
        node = VesselNode.start(configure(NodeTestSupport.config(zk.getConnectString(), data)).build());
        assertThat(send(new Req("GET", "/v1/health", Map.of(), null)).statusCode()).isEqualTo(200);

        System.out.printf("fuzz: %d requests (seed %d), answers by status %s, violations %d%n", sent, seed,
                statuses, violations.size());
        assertThat(violations).as("answers outside the contract").isEmpty();
    }

    private List<Req> validRequests() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
        String start = JSON.writeValueAsString(Map.of("size", jarBytes.length, "chunkSize", chunks.chunkSize(),
                "digests", chunks.digests()));
        return List.of(
                new Req("POST", "/v1/call/greeter/1.1.0/greeter/greet", Map.of("Content-Type", "application/json"),
                        "[\"Ada\"]".getBytes(StandardCharsets.UTF_8)),
                new Req("POST", "/v1/call/greeter/1.1.0/greeter/greetAll", Map.of("Content-Type", "application/json"),
                        "[[\"Ada\",\"Bob\"]]".getBytes(StandardCharsets.UTF_8)),
                new Req("GET", "/v1/health", Map.of(), null),
                new Req("PUT", "/v1/admin/artifacts/" + sha, auth, jarBytes),
                new Req("GET", "/v1/admin/artifacts/" + sha, Map.of("Authorization", "Bearer " + TOKEN,
                        "Range", "bytes=0-99"), null),
                new Req("HEAD", "/v1/admin/artifacts/" + sha, auth, null),
                new Req("POST", "/v1/admin/artifacts/" + sha + "/upload", auth, start.getBytes(StandardCharsets.UTF_8)),
                new Req("PUT", "/v1/admin/artifacts/" + sha + "/chunks/0", auth,
                        java.util.Arrays.copyOf(jarBytes, chunks.chunkSize())),
                new Req("POST", "/v1/admin/releases", auth, ("{\"artifacts\": [{\"sha256\": \"" + sha
                        + "\", \"fileName\": \"greeter-1.0.0.jar\"}], \"dryRun\": true, \"by\": \"fuzz\"}")
                        .getBytes(StandardCharsets.UTF_8)),
                new Req("POST", "/v1/admin/deployments/fuzzed", auth, ("{\"action\": \"deploy\", \"version\":"
                        + " \"1.0.0\", \"weight\": 10, \"nodes\": \"*\", \"by\": \"fuzz\"}")
                        .getBytes(StandardCharsets.UTF_8)),
                new Req("POST", "/v1/admin/deployments/fuzzed", auth, "{\"action\": \"rollback\", \"toRevision\": 1}"
                        .getBytes(StandardCharsets.UTF_8)));
    }

    private static final String[] NASTY = {"", "null", "[]", "{}", "-1", "1e999", "\"\"", "\u0000", "\u001b[2J",
        "../../etc/passwd", "%00", "%2F", "\uD800", "9".repeat(40), "x".repeat(5000), "[[[[[[[[", "\"\\u0000\"",
        "true", "{\"a\":", "]]]", "NaN", "0x10"};

    private Req mutate(Req base, Random random) {
        byte[] body = base.body() == null ? new byte[0] : base.body().clone();
        String path = base.path();
        Map<String, String> headers = new TreeMap<>(base.headers());
        String method = base.method();
        switch (random.nextInt(12)) {
            case 0 -> body = truncate(body, random);
            case 1 -> body = flip(body, random);
            case 2 -> body = insert(body, NASTY[random.nextInt(NASTY.length)].getBytes(StandardCharsets.UTF_8),
                    random);
            case 3 -> body = replaceJsonValue(body, random);
            case 4 -> body = concat(body, body); // duplicated: trailing content
            case 5 -> path = mutatePath(path, random);
            case 6 -> method = new String[] {"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"}[random.nextInt(6)];
            case 7 -> headers.remove("Authorization");
            case 8 -> headers.put("Authorization", new String[] {"Bearer", "Bearer null", "Basic Zm9vOmJhcg==",
                "Vessel-Read x.1.00", "Bearer " + TOKEN + "x", "Vessel-Read node.99999999999999.ab"}[random.nextInt(6)]);
            case 9 -> headers.put("Range", new String[] {"bytes=5-1", "bytes=-5", "bytes=0-99999999", "bytes=a-b",
                "items=0-1", "bytes=0-1,4-5"}[random.nextInt(6)]);
            case 10 -> body = new byte[random.nextInt(200_000)];
            default -> {
                body = flip(replaceJsonValue(body, random), random);
                path = mutatePath(path, random);
            }
        }
        return new Req(method, path, headers, body);
    }

    private static byte[] truncate(byte[] body, Random random) {
        return body.length == 0 ? body : java.util.Arrays.copyOf(body, random.nextInt(body.length));
    }

    private static byte[] flip(byte[] body, Random random) {
        for (int i = 0; i < 1 + random.nextInt(4) && body.length > 0; i++) {
            body[random.nextInt(body.length)] = (byte) random.nextInt(256);
        }
        return body;
    }

    private static byte[] insert(byte[] body, byte[] what, Random random) {
        int at = body.length == 0 ? 0 : random.nextInt(body.length);
        return concat(concat(java.util.Arrays.copyOf(body, at), what),
                java.util.Arrays.copyOfRange(body, at, body.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Replaces one value of a JSON body with one of the wrong type; returns the body unchanged if it is not JSON. */
    private static byte[] replaceJsonValue(byte[] body, Random random) {
        try {
            JsonNode tree = JSON.readTree(body);
            if (tree == null || !tree.isContainerNode() || tree.isEmpty()) {
                return body;
            }
            JsonNode[] wrong = {JSON.nullNode(), JSON.getNodeFactory().numberNode(-1L),
                JSON.getNodeFactory().numberNode(Long.MAX_VALUE), JSON.getNodeFactory().textNode("x".repeat(300)),
                JSON.getNodeFactory().booleanNode(true), JSON.createArrayNode(), JSON.createObjectNode(),
                JSON.getNodeFactory().textNode("\u001b]0;x\u0007")};
            JsonNode pick = wrong[random.nextInt(wrong.length)];
            if (tree.isArray()) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) tree).set(random.nextInt(tree.size()), pick);
            } else {
                List<String> names = new ArrayList<>();
                tree.fieldNames().forEachRemaining(names::add);
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree).set(names.get(random.nextInt(names.size())),
                        pick);
            }
            return JSON.writeValueAsBytes(tree);
        } catch (Exception notJson) {
            return body;
        }
    }

    private String mutatePath(String path, Random random) {
        String[] segments = path.split("/", -1);
        int i = 1 + random.nextInt(segments.length - 1);
        segments[i] = new String[] {"", "%20", "..", "a%2Fb", "%00", "x".repeat(300), "1.0.0.0.0", "-1", "%E2%82%AC",
            sha.substring(1), sha.toUpperCase(), "999999999999", "gr+eet"}[random.nextInt(13)];
        return String.join("/", segments);
    }

    private void check(Req req) {
        HttpResponse<String> response;
        try {
            response = send(req);
        } catch (IllegalArgumentException notAUri) {
            return; // the client cannot even send it; the raw table covers broken request lines
        } catch (Exception e) {
            violations.add(req.method() + " " + req.path() + ": no answer (" + e + ") after " + previous);
            return;
        } finally {
            previous = req.method() + " " + req.path() + " " + req.headers() + " body " + (req.body() == null ? 0
                    : req.body().length);
        }
        previous += " -> " + response.statusCode() + " " + response.headers().firstValue("Connection").orElse("");
        statuses.merge(Integer.toString(response.statusCode()), 1, Integer::sum);
        String body = response.body();
        boolean head = req.method().equals("HEAD");
        if (response.statusCode() >= 400 && !head) {
            String type = response.headers().firstValue("Content-Type").orElse("");
            if (!type.startsWith("application/json")) {
                violations.add(describe(req, response) + ": not JSON (" + type + ")");
                return;
            }
            try {
                JsonNode error = JSON.readTree(body);
                if (!error.path("error").isTextual() || !error.path("message").isTextual()) {
                    violations.add(describe(req, response) + ": not {error, message}");
                }
                if (response.statusCode() == 500 && !error.path("error").asText().equals("METHOD_THREW")) {
                    violations.add(describe(req, response) + ": a 500 for bad input");
                }
            } catch (Exception e) {
                violations.add(describe(req, response) + ": unparseable error body");
            }
        }
        if (body != null && body.toLowerCase(java.util.Locale.ROOT).contains("<html")) {
            violations.add(describe(req, response) + ": an HTML page");
        }
    }

    private static String describe(Req req, HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body();
        return req.method() + " " + req.path() + " -> " + response.statusCode() + " "
                + body.substring(0, Math.min(200, body.length()));
    }

    private HttpResponse<String> send(Req req) throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(node.url().toString().replaceAll("/$", "")
                + req.path())).timeout(Duration.ofSeconds(20));
        req.headers().forEach(builder::header);
        HttpRequest.BodyPublisher publisher = req.body() == null || req.body().length == 0
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(req.body());
        builder.method(req.method(), publisher);
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Request lines and headers no HTTP client library would send. */
    private static List<String> rawRequests() {
        return List.of(
                "GET /v1/health HTTP/9.9\r\n\r\n",
                "GARBAGE\r\n\r\n",
                "GET /v1/call/%zz/1.0.0/x/y HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                "POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\n",
                "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
                "GET /v1/../../health HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /v1/admin/artifacts/%2e%2e%2fsecret HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                        + "\r\n\r\n");
    }

    private void checkRaw(String raw) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.url().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(64 * 1024), StandardCharsets.ISO_8859_1);
            String statusLine = answer.lines().findFirst().orElse("");
            statuses.merge("raw " + (statusLine.length() > 12 ? statusLine.substring(9, 12) : "closed"), 1,
                    Integer::sum);
            if (answer.toLowerCase(java.util.Locale.ROOT).contains("<html")) {
                violations.add("raw " + raw.lines().findFirst().orElse("") + ": an HTML page");
            }
            if (statusLine.contains(" 500 ")) {
                violations.add("raw " + raw.lines().findFirst().orElse("") + ": a 500");
            }
        }
    }

    private void assertStillServing() throws Exception {
        HttpResponse<String> health = send(new Req("GET", "/v1/health", Map.of(), null));
        assertThat(health.statusCode()).isEqualTo(200);
        HttpResponse<String> call = send(new Req("POST", "/v1/call/greeter/1.1.0/greeter/greet",
                Map.of("Content-Type", "application/json"),
                "[\"Ada\"]".getBytes(StandardCharsets.UTF_8)));
        assertThat(call.body()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
        assertThat(node.containers()).filteredOn(c -> c.service().equals("greeter"))
                .extracting(ContainerInfo::state).containsOnly(InstanceState.ACTIVE);
    }
}
