package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * Connections are not free to hold: one that never begins a request (a TLS handshake sent a byte at a time
 * included) is closed at the header timeout after its accept, and one client address holds at most its cap of
 * connections while health and other clients are answered.
 */
class ConnectionLimitsTest {
    /** A second loopback address: Linux routes all of 127/8 to the loopback interface. */
    private static final String OTHER_CLIENT = "127.0.0.2";
    private static final int CAP = 16;

    @TempDir
    static Path data;

    private static TestingServer zk;
    private static VesselNode node;
    private static VesselNode tlsNode;

    @BeforeAll
    static void start() throws Exception {
        zk = new TestingServer(true);
        node = VesselNode.start(config(zk.getConnectString(), data.resolve("plain")).nodeId("plain")
                .headerTimeout(Duration.ofSeconds(3)).connectionsPerClient(CAP).build());
        SelfSignedTls.Files tls = SelfSignedTls.generate(data.resolve("tls"), List.of());
        tlsNode = VesselNode.start(config(zk.getConnectString(), data.resolve("secure")).nodeId("secure")
                .headerTimeout(Duration.ofSeconds(1)).tls(tls.nodeTls()).build());
    }

    @AfterAll
    static void stop() throws Exception {
        tlsNode.close();
        node.close();
        zk.close();
    }

    @Test
    void aConnectionThatNeverSendsIsClosedAtTheHeaderTimeoutNotTheIdleTimeout() throws Exception {
        try (Socket silent = connect(node, null)) {
            long start = System.nanoTime();
            assertThat(readToEnd(silent)).as("nothing is sent to a connection that asked nothing").isEmpty();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("closed after the 3 s header timeout, not the 30 s idle timeout")
                    .isBetween(2_500L, 10_000L);
        }
    }

    @Test
    void aTlsHandshakeSentAByteAtATimeIsClosedAtTheHeaderTimeout() throws Exception {
        try (Socket trickling = connect(tlsNode, null)) {
            OutputStream out = trickling.getOutputStream();
            // the start of a TLS record carrying a ClientHello, one byte every 200 ms: it never completes
            byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
            long start = System.nanoTime();
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        out.write(hello[i % hello.length]);
                        out.flush();
                        TimeUnit.MILLISECONDS.sleep(200); // the client's pace, which resets any idle timeout
                    }
                } catch (IOException | InterruptedException closed) {
                    // the node closed the connection, which is what this test waits for
                }
            });
            trickle.start();
            readToEnd(trickling);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            trickle.interrupt();
            trickle.join();
            assertThat(millis).as("closed by the 1 s header timeout, not after 100 bytes at 200 ms")
                    .isLessThan(8_000L);
        }
    }

    @Test
    void oneClientHoldsAtMostItsCapWhileHealthAndOtherClientsAreAnswered() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                Socket socket = connect(node, OTHER_CLIENT);
                // one answered request each: the node has counted the connection, which then stays open idle
                socket.getOutputStream().write("HEAD /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                assertThat(readHead(socket)).startsWith("HTTP/1.1 200");
                held.add(socket);
            }
            int refused = 0;
            for (int i = 0; i < 5; i++) {
                try (Socket extra = connect(node, OTHER_CLIENT)) {
                    long start = System.nanoTime();
                    if (readToEnd(extra).isEmpty()
                            && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(500)) {
                        refused++; // closed at once, long before any timeout could
                    }
                }
            }
            assertThat(refused).as("every connection past the cap of " + CAP + " is closed on arrival").isEqualTo(5);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).as("health from another address").isEqualTo(200);
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        // once the node has seen its connections close, the same client is served again
        await().atMost(Duration.ofSeconds(10)).until(() -> healthFrom(OTHER_CLIENT).startsWith("HTTP/1.1 200"));
    }

    private static String healthFrom(String client) throws IOException {
        try (Socket socket = connect(node, client)) {
            socket.getOutputStream().write("GET /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            return readToEnd(socket);
        }
    }

    private static Socket connect(VesselNode target, String from) throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
        }
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.url().getPort()), 5_000);
        socket.setSoTimeout(20_000);
        return socket;
    }

    /** An answer's status line and headers (a HEAD answer has nothing after them). */
    private static String readHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        while (text.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            text.append((char) b);
        }
        return text.toString();
    }

    /** Everything the node sends until it closes the connection (a reset counts as closed). */
    private static String readToEnd(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder text = new StringBuilder();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (SocketException reset) {
            // closed under a client that was still writing
        }
        return text.toString();
    }
}
