package dev.vessel.host.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An answer from a peer is read up to a bound: a lying peer cannot fill the node's heap. */
class BoundedBodyTest {
    private HttpServer peer;
    private final AtomicLong sent = new AtomicLong();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/small", exchange -> {
            exchange.sendResponseHeaders(200, 5);
            exchange.getResponseBody().write("hello".getBytes());
            exchange.close();
        });
        peer.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no length to refuse it by
            byte[] block = new byte[64 * 1024];
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 16 * 1024; i++) { // up to 1 GiB, until the reader hangs up
                    out.write(block);
                    sent.addAndGet(block.length);
                }
            } catch (IOException hungUp) {
                // the reader stopped, which is what the test expects
            }
        });
        peer.start();
    }

    @AfterEach
    void stop() {
        peer.stop(0);
    }

    @Test
    void anAnswerWithinTheBoundIsRead() throws Exception {
        assertThat(http.send(request("/small"), BoundedBody.of(1024, "its load")).body()).asString()
                .isEqualTo("hello");
    }

    @Test
    void anAnswerPastTheBoundFailsAndIsNotReadFurther() {
        assertThatThrownBy(() -> http.send(request("/endless"), BoundedBody.of(1 << 20, "its load")))
                .isInstanceOf(IOException.class).hasMessageContaining("its load is larger than 1048576 bytes");
        assertThat(sent.get()).as("bytes the peer got to send before the reader hung up").isLessThan(256L << 20);
    }

    private HttpRequest request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peer.getAddress().getPort() + path)).build();
    }
}
