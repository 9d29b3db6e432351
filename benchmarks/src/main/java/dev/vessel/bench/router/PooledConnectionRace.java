package dev.vessel.bench.router;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.internal.HttpCaller;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * The JDK HttpClient defect behind rare "HTTP/1.1 header parser received no bytes" failures of calls that the node
 * answered: when a pooled HTTP/1.1 connection is reused, the request can go out before the client has moved the
 * connection's reader from its idle-pool watcher to the new exchange; an answer that arrives in that window is taken
 * as unexpected data on an idle connection, the connection is closed, and the exchange fails with no bytes although
 * the request was sent and answered (reported to OpenJDK as JDK-8338569, whose fix went into JDK 24; measured here on
 * JDK 17.0.15 and on Temurin 25.0.3 alike). A Jetty server on loopback answers every POST at once; N threads call it
 * back to back and every outcome is counted.
 *
 * <p>Usage: {@code PooledConnectionRace client|url|vessel [calls per thread=50000] [threads=4]}: {@code client} is the
 * JDK's HttpClient (as VesselClient called until it moved to Jetty's), {@code url} HttpURLConnection in fixed-length
 * streaming mode (no silent retry), {@code vessel} VesselClient's own caller ({@code HttpCaller}, on Jetty's client).
 */
public final class PooledConnectionRace {
    private PooledConnectionRace() {}

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "client";
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int threadCount = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.consumeAll(request, Callback.from(() -> response.write(true,
                        ByteBuffer.wrap("{\"result\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)), callback),
                        callback::failed));
                return true;
            }
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/v1/call/greeter/1.0.0/greeter/version");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpCaller caller = new HttpCaller(Duration.ofSeconds(2), null);
        InstanceRecord instance = new InstanceRecord("greeter-1", "greeter", "1.0.0", "node-1", "c1", "zone",
                InstanceState.ACTIVE, 100, "127.0.0.1", connector.getLocalPort());
        Map<String, Integer> outcomes = new ConcurrentSkipListMap<>();
        long[] micros = new long[calls * threadCount];
        java.util.concurrent.atomic.AtomicInteger recorded = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long started = System.nanoTime();
        for (int t = 0; t < threadCount; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < calls; i++) {
                    String outcome;
                    long callStarted = System.nanoTime();
                    try {
                        outcome = switch (mode) {
                            case "url" -> overUrlConnection(uri);
                            case "vessel" -> overHttpCaller(caller, instance);
                            default -> overHttpClient(client, uri);
                        };
                    } catch (Exception e) {
                        outcome = e.getClass().getSimpleName() + ": " + e.getMessage();
                    }
                    micros[recorded.getAndIncrement()] = (System.nanoTime() - callStarted) / 1_000;
                    outcomes.merge(outcome, 1, Integer::sum);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        java.util.Arrays.sort(micros);
        System.out.printf(
                "Java %s, %s, %d threads x %d calls: %s in %d ms (%d calls/s); per call p50 %d us, p99 %d us%n",
                Runtime.version(), mode, threadCount, calls, outcomes, millis,
                (long) calls * threadCount * 1000 / Math.max(1, millis), micros[micros.length / 2],
                micros[micros.length * 99 / 100]);
        caller.close();
        server.stop();
    }

    private static String overHttpCaller(HttpCaller caller, InstanceRecord instance) throws Exception {
        int status = caller.callBlocking(instance, "greeter", "version", "[]".getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(5)).status();
        return status == 200 ? "ok" : "HTTP " + status;
    }

    private static String overHttpClient(HttpClient client, URI uri) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("[]")).build();
        int status = client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
        return status == 200 ? "ok" : "HTTP " + status;
    }

    private static String overUrlConnection(URI uri) throws Exception {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setConnectTimeout(2_000);
        connection.setReadTimeout(5_000);
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(2);
        connection.setRequestProperty("Content-Type", "application/json");
        try (OutputStream out = connection.getOutputStream()) {
            out.write("[]".getBytes(StandardCharsets.UTF_8));
        }
        int status = connection.getResponseCode();
        try (InputStream in = connection.getInputStream()) {
            in.readAllBytes();
        }
        return status == 200 ? "ok" : "HTTP " + status;
    }
}
