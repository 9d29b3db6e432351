package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad call gets its documented status and error code, and the containers keep serving afterwards. */
class DataPlaneErrorsTest {
    @TempDir
    static Path data;

    private static TestingServer zk;
    private static VesselNode node;
    private static DesiredState desired;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        node = VesselNode.start(config(zk.getConnectString(), data).maxRequestBytes(4096)
                .bodyTimeout(Duration.ofSeconds(1)).build());
        desired = DesiredState.open(zk.getConnectString(), ADMIN_TOKEN);
        desired.deploy(node, release("greeter-1.1.0"));
        desired.deploy(node, release("greeter-2.0.0"));
        desired.deploy(node, release("hostile"));
        desired.deploy(node, release("broken-activator"));
    }

    @AfterAll
    static void stop() throws Exception {
        desired.close();
        node.close();
        zk.close();
    }

    @AfterEach
    void nothingElseIsDisturbed() throws Exception {
        assertThat(call(node, "1.1.0", "greet", "[\"Ada\"]").body()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
        assertThat(call(node, "2.0.0", "greet", "[\"Ada\", \"fr\"]").body())
                .isEqualTo("{\"message\":\"Bonjour, Ada! (greeter 2.0.0)\",\"language\":\"fr\",\"version\":\"2.0.0\"}");
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        assertThat(response.body()).contains("\"error\":\"" + code + "\"").contains(messagePart);
    }

    @Test
    void malformedJsonIs400() throws Exception {
        HttpResponse<String> response = call(node, "1.1.0", "greet", "[\"Ada\"");
        assertError(response, 400, "MALFORMED_JSON", "not valid JSON at line 1, column 7");
        assertThat(response.body()).doesNotContain("Source");
    }

    @Test
    void aBodyThatIsNotAnArrayIs400() throws Exception {
        assertError(call(node, "1.1.0", "greet", "{\"name\":\"Ada\"}"), 400, "BAD_ARGUMENTS", "JSON array");
    }

    @Test
    void theWrongNumberOfArgumentsIs400() throws Exception {
        assertError(call(node, "1.1.0", "greet", "[\"Ada\", \"Grace\"]"), 400, "BAD_ARGUMENTS",
                "greet takes 1 argument(s), got 2");
        assertError(call(node, "2.0.0", "greet", "[\"Ada\"]"), 400, "BAD_ARGUMENTS", "greet takes 2 argument(s)");
    }

    @Test
    void argumentsOfTheWrongTypeAre400() throws Exception {
        assertError(call(node, "1.1.0", "greet", "[42]"), 400, "BAD_ARGUMENTS", "argument 1 of greet(String)");
        assertError(call(node, "1.1.0", "greetAll", "[\"Ada\"]"), 400, "BAD_ARGUMENTS",
                "argument 1 of greetAll(List)");
    }

    @Test
    void unknownServiceVersionEndpointAndMethodAre404() throws Exception {
        assertError(post(node, "/v1/call/billing/1.0.0/greeter/greet", "[]"), 404, "UNKNOWN_SERVICE", "billing");
        assertError(post(node, "/v1/call/greeter/1.5.0/greeter/greet", "[]"), 404, "UNKNOWN_VERSION", "1.5.0");
        assertError(post(node, "/v1/call/greeter/one/greeter/greet", "[]"), 404, "UNKNOWN_VERSION", "'one'");
        assertError(post(node, "/v1/call/greeter/1.1.0/billing/greet", "[]"), 404, "UNKNOWN_ENDPOINT",
                "has no endpoint 'billing'");
        assertError(call(node, "1.1.0", "farewell", "[]"), 404, "UNKNOWN_METHOD",
                "has no method 'farewell'; it has [greet, greetAll, version]");
        assertError(post(node, "/v1/call/greeter/1.1.0", "[]"), 404, "NOT_FOUND", "expected /v1/call/");
        assertError(get(node, "/v1/nothing"), 404, "NOT_FOUND", "/v1/nothing");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String big = "[\"" + "x".repeat(5000) + "\"]";
        assertError(call(node, "1.1.0", "greet", big), 413, "TOO_LARGE", "exceeds 4096 bytes");
    }

    @Test
    void contentAfterTheArgumentsIsMalformed() throws Exception {
        assertError(call(node, "1.1.0", "greet", "[\"Ada\"]]} junk"), 400, "MALFORMED_JSON", "not valid JSON");
        assertError(call(node, "1.1.0", "greet", "[\"Ada\"] [\"Bob\"]"), 400, "MALFORMED_JSON", "not valid JSON");
    }

    @Test
    void aPathIsDecodedOnceOnly() throws Exception {
        assertError(call(node, "1.1.0", "gr+eet", "[\"Ada\"]"), 404, "UNKNOWN_METHOD", "no method 'gr+eet'");
        assertError(call(node, "1.1.0", "gr%2Beet", "[\"Ada\"]"), 404, "UNKNOWN_METHOD", "no method 'gr+eet'");
    }

    @Test
    void onlyMethodsTheRegisteredTypeDeclaresAreCallable() throws Exception {
        assertThat(post(node, "/v1/call/hostile/1.0.0/hostile/ping", "[]").body()).isEqualTo("\"pong\"");
        HttpResponse<String> inherited = post(node, "/v1/call/hostile/1.0.0/hostile/inherited", "[]");
        assertError(inherited, 404, "UNKNOWN_METHOD", "no method 'inherited'");
        assertThat(inherited.body()).as("names no implementation class").doesNotContain("HostileComponent");
        assertError(post(node, "/v1/call/hostile/1.0.0/hostile/defaulted", "[]"), 404, "UNKNOWN_METHOD",
                "no method 'defaulted'");
        assertError(post(node, "/v1/call/hostile/1.0.0/hostile/hashCode", "[]"), 404, "UNKNOWN_METHOD",
                "no method 'hashCode'");
    }

    @Test
    void healthShowsStatesButNeverWhyAContainerFailed() throws Exception {
        HttpResponse<String> health = get(node, "/v1/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"id\":\"broken-activator-1.0.0\"", "\"state\":\"FAILED\"")
                .doesNotContain("refusing to start").doesNotContain(data.toString()).doesNotContain("\"error\"");
        assertThat(node.containers()).filteredOn(c -> c.service().equals("broken-activator")).singleElement()
                .satisfies(c -> assertThat(c.error()).as("the node itself still knows").contains("refusing to start"));
    }

    @Test
    void whatAnyWebPageMaySendWithoutAskingIsNotACall() throws Exception {
        // a form post or text/plain from a page of any site reaches the node without a CORS preflight
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
            String answer = rawCall("localhost", type);
            assertThat(answer).as(type).startsWith("HTTP/1.1 415").contains("\"error\":\"UNSUPPORTED_MEDIA_TYPE\"")
                    .contains("Content-Type: application/json").doesNotContain("Hello");
        }
        assertThat(rawCall("localhost", null)).startsWith("HTTP/1.1 415").contains("the request had none");
        assertThat(rawCall("localhost", "Application/JSON; charset=utf-8")).startsWith("HTTP/1.1 200")
                .contains("Hello, Ada!");
    }

    @Test
    void aCallSentToANameTheNodeDoesNotAnswerToIsRefused() throws Exception {
        // DNS rebinding: a page of attacker.example whose name now resolves to this node sends its own name
        assertThat(rawCall("attacker.example", "application/json")).startsWith("HTTP/1.1 403")
                .contains("\"error\":\"FORBIDDEN\"").contains("does not answer calls to host 'attacker.example'")
                .doesNotContain("Hello");
        for (String host : new String[] {"localhost", "127.0.0.1", "[::1]", "LOCALHOST."}) {
            assertThat(rawCall(host, "application/json")).as(host).startsWith("HTTP/1.1 200");
        }
    }

    /** A call to greeter 1.1.0 with exactly these {@code Host} and {@code Content-Type} headers (none if null). */
    private static String rawCall(String host, String contentType) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.url().getPort())) {
            socket.setSoTimeout(10_000);
            String body = "[\"Ada\"]";
            socket.getOutputStream().write(("POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: " + host
                    + ":" + node.url().getPort() + "\r\n" + (contentType == null ? "" : "Content-Type: " + contentType
                    + "\r\n") + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBodyThatTricklesInIsCutOffAtTheBodyTimeout() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.url().getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n[\"").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            String answer = new String(socket.getInputStream().readNBytes(2048), StandardCharsets.UTF_8);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(answer).startsWith("HTTP/1.1 408").contains("REQUEST_TIMEOUT").contains("within 1000 ms");
            assertThat(millis).as("cut off by the 1 s body timeout, not the 30 s idle timeout").isLessThan(9_000);
        }
    }

    @Test
    void aReleaseThatBlocksTheJvmsSharedTimerDoesNotSwitchOffTheBodyTimeout() throws Exception {
        assertThat(post(node, "/v1/call/hostile/1.0.0/hostile/blockSharedTimer", "[]").body())
                .isEqualTo("\"blocked\"");
        CompletableFuture<Object> sharedTimerProbe = new CompletableFuture<>().orTimeout(100, TimeUnit.MILLISECONDS);
        try {
            aBodyThatTricklesInIsCutOffAtTheBodyTimeout();
            assertThat(sharedTimerProbe).as("the shared timer was blocked all along").isNotDone();
        } finally {
            assertThat(post(node, "/v1/call/hostile/1.0.0/hostile/unblockSharedTimer", "[]").body())
                    .isEqualTo("\"released\"");
        }
        await().atMost(Duration.ofSeconds(10)).until(sharedTimerProbe::isDone);
    }

    @Test
    void earlyRefusalsLeaveTheClientsConnectionsUsable() throws Exception {
        // a refusal sent before the body was read must not leave a connection that the client then reuses
        String big = "[\"" + "x".repeat(5000) + "\"]";
        for (int i = 0; i < 20; i++) {
            assertThat(call(node, "1.1.0", "greet", big).statusCode()).isEqualTo(413);
            assertThat(post(node, "/v1/call/billing/1.0.0/greeter/greet", "[\"Ada\"]").statusCode()).isEqualTo(404);
            assertThat(call(node, "1.1.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aMethodThatThrowsIs500WithTypeAndMessageButNoStackTrace() throws Exception {
        HttpResponse<String> response = call(node, "2.0.0", "greet", "[\"Ada\", \"xx\"]");
        assertError(response, 500, "METHOD_THREW",
                "java.lang.IllegalArgumentException: unsupported language 'xx'; supported: de, en, fr");
        assertThat(response.body()).doesNotContain("\tat ").doesNotContain("GreeterComponent.java");
        assertThat(response.headers().firstValue("Vessel-Version")).contains("2.0.0");
    }

    @Test
    void callsMustBePosts() throws Exception {
        HttpResponse<String> response = get(node, "/v1/call/greeter/1.1.0/greeter/version");
        assertError(response, 405, "METHOD_NOT_ALLOWED", "POST");
        assertThat(response.headers().firstValue("Allow")).contains("POST");
    }
}
