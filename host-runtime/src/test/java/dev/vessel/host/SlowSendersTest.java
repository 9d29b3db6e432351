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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send slowly, on purpose or not, cost the node a connection each for a bounded time and never take
 * what ordinary callers need: headers that trickle in are cut off at the header timeout, bodies that trickle in
 * at the body timeout, and unfinished bodies are limited by the bytes they really hold, not by their number.
 */
class SlowSendersTest {
    @TempDir
    static Path data;

    private static TestingServer zk;
    private static VesselNode node;
    private static DesiredState desired;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        node = VesselNode.start(config(zk.getConnectString(), data).headerTimeout(Duration.ofSeconds(1))
                .bodyTimeout(Duration.ofSeconds(20)).build());
        desired = DesiredState.open(zk.getConnectString(), ADMIN_TOKEN);
        desired.deploy(node, release("greeter-1.1.0"));
    }

    @AfterAll
    static void stop() throws Exception {
        desired.close();
        node.close();
        zk.close();
    }

    @Test
    void headersThatTrickleInAreCutOffAtTheHeaderTimeout() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write("POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        out.write('a');
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(200); // the client's pace: a byte every 200 ms keeps it "active"
                    }
                } catch (IOException | InterruptedException closed) {
                    // the node closed the connection, which is what this test waits for
                }
            });
            trickle.start();
            assertThat(readToEnd(socket)).as("nothing is answered to headers that never end").isEmpty();
            long millis = (System.nanoTime() - start) / 1_000_000;
            trickle.interrupt();
            trickle.join();
            assertThat(millis).as("closed by the 1 s header timeout, not the 30 s idle timeout").isLessThan(8_000);
        }
        assertThat(call(node, "1.1.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
    }

    @Test
    void bodiesThatTrickleInNeverCrowdOutOrdinaryCallsOrHealth() throws Exception {
        List<Socket> senders = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                senders.add(startBody(node, 4000, 1));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(call(node, "1.1.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
            }
            assertThat(get(node, "/v1/health").statusCode()).isEqualTo(200);
            assertThat(answered(senders)).as("each of them holds a byte, far from the budget: all still wait").isZero();
        } finally {
            for (Socket socket : senders) {
                socket.close();
            }
        }
    }

    @Test
    void unfinishedBodiesPastTheByteBudgetAreRefusedAndClosedBodiesGiveTheirBytesBack() throws Exception {
        // maxRequestBytes 4096: the budget is 64 such bodies; 65 bodies of 4095 bytes, one byte short, exceed it
        try (VesselNode small = VesselNode.start(config(zk.getConnectString(), data.resolve("small")).nodeId("small")
                .maxRequestBytes(4096).bodyTimeout(Duration.ofSeconds(20)).build())) {
            desired.deploy(small, release("greeter-1.1.0"));
            List<Socket> senders = new ArrayList<>();
            try {
                for (int i = 0; i < 65; i++) {
                    senders.add(startBody(small, 4096, 4095));
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> answered(senders) == 1);
                Socket refused = senders.stream().filter(SlowSendersTest::hasAnswer).findFirst().orElseThrow();
                assertThat(readToEnd(refused)).startsWith("HTTP/1.1 503").contains("\"error\":\"BUSY\"")
                        .contains("Vessel-Retry: other").contains("bytes of call bodies still arriving");
                assertThat(post(small, "/v1/call/greeter/1.1.0/greeter/greet", "[\"Ada\"]").statusCode())
                        .as("a body that arrives whole still fits beside them").isEqualTo(200);
            } finally {
                for (Socket socket : senders) {
                    socket.close();
                }
            }
            String whole = "[\"" + "x".repeat(4000) + "\"]";
            await().atMost(Duration.ofSeconds(10)).until(() -> post(small, "/v1/call/greeter/1.1.0/greeter/greet",
                    whole).statusCode() == 200);
        }
    }

    @Test
    void aStrangerIsRefusedForItsTokenEvenWhileEveryAdminPlaceIsTaken() throws Exception {
        // 8 running and 32 waiting: uploads whose bodies never finish hold every place of the admin bulkhead
        String sha = "ab".repeat(32);
        List<Socket> uploads = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Socket socket = connect();
                socket.getOutputStream().write(("PUT /v1/admin/artifacts/" + sha + " HTTP/1.1\r\nHost: localhost\r\n"
                        + "Authorization: Bearer " + ADMIN_TOKEN + "\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: 100000\r\n\r\nP").getBytes(StandardCharsets.US_ASCII));
                uploads.add(socket);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> adminStatus(ADMIN_TOKEN) == 503);
            assertThat(adminStatus("not-the-token")).as("refused for its token, not queued or told to come back")
                    .isEqualTo(403);
            assertThat(adminStatus(null)).isEqualTo(401);
        } finally {
            for (Socket socket : uploads) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> adminStatus(ADMIN_TOKEN) == 200);
    }

    private static int adminStatus(String token) throws IOException, InterruptedException {
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                node.url().resolve("/v1/admin/cluster/status")).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return java.net.http.HttpClient.newHttpClient().send(request.build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Sends a call's headers declaring {@code declared} bytes of body, and the first {@code sent} of them. */
    private static Socket startBody(VesselNode target, int declared, int sent) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), target.url().getPort());
        socket.setSoTimeout(20_000);
        socket.getOutputStream().write(("POST /v1/call/greeter/1.1.0/greeter/greet HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + declared + "\r\n\r\n"
                + ("[\"" + "x".repeat(Math.max(0, sent - 2))).substring(0, sent))
                .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    private static boolean hasAnswer(Socket socket) {
        try {
            return socket.getInputStream().available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.url().getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static long answered(List<Socket> sockets) {
        return sockets.stream().filter(SlowSendersTest::hasAnswer).count();
    }

    /** Everything the node sends until it closes the connection (a reset counts as closed). */
    private static String readToEnd(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                text.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
            }
        } catch (java.net.SocketException reset) {
            // closed under a client that was still writing
        }
        return text.toString();
    }
}
