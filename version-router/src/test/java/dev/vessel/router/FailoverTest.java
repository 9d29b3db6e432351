package dev.vessel.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.router.internal.RoutingTable;
import dev.vessel.router.internal.Target;
import dev.vessel.router.internal.Tried;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which failures a call is retried after, per idempotency, against a real ZooKeeper and real HTTP on loopback.
 *
 * <p>The instances are small HTTP servers that answer the way a node's data plane does ({@code /v1/call}, JSON,
 * {@code Vessel-Version}, {@code 503 Vessel-Retry: other}) but fail on demand in ways a healthy node cannot be made
 * to: a 502 from a broken gateway, a hang past the call timeout. How real nodes produce their answers is covered
 * in the host and itests modules.
 */
class FailoverTest {
    enum Behaviour { OK, BAD_GATEWAY, RETRY_OTHER, HANG, METHOD_THREW }

    private TestingServer zk;
    private RegistryConnection registryConnection;
    private final List<FakeNode> nodes = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private InstanceRegistry registry;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        registryConnection = RegistryConnection.connect(zk.getConnectString());
        registry = new InstanceRegistry(registryConnection);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        nodes.forEach(node -> node.server.stop(0));
        registry.close(); // before its session: a PersistentNode left on a closed client retries without end
        registryConnection.close();
        zk.close();
    }

    /** A registered instance of greeter 1.0.0 that answers with {@code behaviour}. */
    private FakeNode node(String name, Behaviour behaviour) throws IOException {
        FakeNode node = new FakeNode(name, behaviour);
        nodes.add(node);
        registry.register(new InstanceRecord(name + ".greeter-1.0.0", "greeter",
                "1.0.0", name, "greeter-1.0.0", "z", InstanceState.ACTIVE, 100, "127.0.0.1",
                node.server.getAddress().getPort()));
        return node;
    }

    private VesselClient client(int retryBurst) {
        return VesselClient.builder().connectString(zk.getConnectString())
                .attemptTimeout(Duration.ofMillis(300))
                .retryBudget(0.0, retryBurst)
                .ejection(1_000, Duration.ofMinutes(1), Duration.ofMinutes(1), 0.5) // no ejection in these tests
                .build();
    }

    private static CallResult greet(VesselClient client, CallOptions options) {
        return client.call(options, "greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
    }

    /** The client's own metrics, scraped from a Prometheus registry, count what the calls did. */
    @Test
    void theClientsMetricsCountCallsAttemptsRetriesAndEjections() throws Exception {
        node("a", Behaviour.BAD_GATEWAY);
        node("b", Behaviour.OK);
        try (VesselClient client = VesselClient.builder().connectString(zk.getConnectString())
                .attemptTimeout(Duration.ofMillis(300)).retryBudget(0.0, 100).hedging(0)
                .ejection(1, Duration.ofMinutes(1), Duration.ofMinutes(1), 0.5).build()) {
            // the first call goes to a, fails, ejects it and is retried on b; the rest go to b
            assertThat(greet(client, keyOwnedBy(client, "a.greeter-1.0.0").asIdempotent()).attempts()).isEqualTo(2);
            for (int i = 0; i < 19; i++) {
                assertThat(greet(client, CallOptions.idempotentCall()).instanceId()).isEqualTo("b.greeter-1.0.0");
            }
            assertThatThrownBy(() -> client.call(CallOptions.DEFAULT, "greeter", "[3.0,4.0)", "greeter", "greet"))
                    .isInstanceOf(NoCompatibleVersionException.class);

            io.prometheus.metrics.model.registry.PrometheusRegistry registry =
                    new io.prometheus.metrics.model.registry.PrometheusRegistry();
            dev.vessel.router.metrics.ClientMetrics.register(client, registry);
            String text = io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create()
                    .toDebugString(registry.scrape());
            assertThat(text).contains("vessel_client_calls_total{outcome=\"OK\",rpc_service=\"greeter\"} 20")
                    .contains("vessel_client_calls_total{outcome=\"NO_COMPATIBLE_VERSION\",rpc_service=\"greeter\"} 1")
                    .contains("vessel_client_calls_total{outcome=\"REMOTE_ERROR\",rpc_service=\"greeter\"} 0")
                    .contains("vessel_client_attempts_total{rpc_service=\"greeter\"} 21")
                    .contains("vessel_client_retries_total{rpc_service=\"greeter\"} 1")
                    .contains("vessel_client_hedges_total{rpc_service=\"greeter\"} 0")
                    .contains("vessel_client_ejections_total{rpc_service=\"greeter\"} 1")
                    .contains("vessel_client_routing_instances{rpc_service=\"greeter\"} 2")
                    .containsPattern("vessel_client_routing_table_age_seconds\\{rpc_service=\"greeter\"} \\d");
            ServiceStatistics greeter = client.statistics().get(0);
            assertThat(greeter.service()).isEqualTo("greeter");
            assertThat(greeter.tableAge()).isPositive();
        }
    }

    @Test
    void aNonIdempotentCallIsNeverRepeatedAfterAFailureThatMayHaveRunIt() throws Exception {
        FakeNode broken = node("a", Behaviour.BAD_GATEWAY);
        FakeNode healthy = node("b", Behaviour.OK);
        try (VesselClient client = client(100)) {
            int failed = 0;
            for (int i = 0; i < 40; i++) {
                Throwable thrown = catchThrowable(() -> greet(client, CallOptions.DEFAULT));
                if (thrown != null) {
                    assertThat(thrown).isInstanceOfSatisfying(RemoteCallException.class,
                            e -> assertThat(e.status()).isEqualTo(502));
                    failed++;
                }
            }
            assertThat(broken.calls.get()).isEqualTo(failed).isPositive();
            assertThat(broken.calls.get() + healthy.calls.get()).as("each call sent exactly once").isEqualTo(40);
        }
    }

    @Test
    void anIdempotentCallMovesToAnotherInstanceAfterA5xx() throws Exception {
        FakeNode broken = node("a", Behaviour.BAD_GATEWAY);
        FakeNode healthy = node("b", Behaviour.OK);
        try (VesselClient client = client(100)) {
            for (int i = 0; i < 40; i++) {
                CallResult result = greet(client, CallOptions.idempotentCall());
                assertThat(result.instanceId()).isEqualTo("b.greeter-1.0.0");
                assertThat(result.attempts()).isBetween(1, 2);
            }
            assertThat(healthy.calls.get()).isEqualTo(40);
            assertThat(broken.calls.get()).isPositive();
        }
    }

    @Test
    void aTimeoutIsRetriedOnlyForIdempotentCalls() throws Exception {
        FakeNode hanging = node("a", Behaviour.HANG);
        node("b", Behaviour.OK);
        try (VesselClient client = client(100)) {
            CallOptions pinnedToA = keyOwnedBy(client, "a.greeter-1.0.0");
            assertThatThrownBy(() -> greet(client, pinnedToA))
                    .isInstanceOf(VesselClientException.class)
                    .hasMessageContaining("a.greeter-1.0.0")
                    .hasMessageContaining("not retried: it may have run and is not marked idempotent");
            CallResult retried = greet(client, pinnedToA.asIdempotent());
            assertThat(retried.instanceId()).isEqualTo("b.greeter-1.0.0");
            assertThat(retried.attempts()).isEqualTo(2);
            assertThat(hanging.calls.get()).isEqualTo(2);
        }
    }

    @Test
    void aSlowAttemptOfAnIdempotentCallIsHedgedToAnotherInstance() throws Exception {
        FakeNode hanging = node("a", Behaviour.HANG);
        node("b", Behaviour.OK);
        try (VesselClient client = VesselClient.builder().connectString(zk.getConnectString())
                .attemptTimeout(Duration.ofSeconds(5)).hedging(1.0).build()) {
            learnLatency(client, "b.greeter-1.0.0");
            long hedgesBefore = client.hedges();
            int hangingBefore = hanging.calls.get();
            CallOptions toA = keyOwnedBy(client, "a.greeter-1.0.0");
            CallResult hedged = greet(client, toA.asIdempotent());
            assertThat(hedged.instanceId()).isEqualTo("b.greeter-1.0.0");
            assertThat(hedged.attempts()).isEqualTo(1); // answered within the first attempt, by its hedge
            assertThat(client.hedges() - hedgesBefore).isEqualTo(1);
            assertThat(hanging.calls.get() - hangingBefore).isEqualTo(1);
        }
    }

    @Test
    void callsThatAreNotIdempotentAreNeverHedged() throws Exception {
        FakeNode hanging = node("a", Behaviour.HANG);
        node("b", Behaviour.OK);
        try (VesselClient client = VesselClient.builder().connectString(zk.getConnectString())
                .attemptTimeout(Duration.ofMillis(300)).hedging(1.0).build()) {
            learnLatency(client, "b.greeter-1.0.0");
            assertThatThrownBy(() -> greet(client, keyOwnedBy(client, "a.greeter-1.0.0")))
                    .isInstanceOf(VesselClientException.class).hasMessageContaining("attempt timeout");
            assertThat(client.hedges()).isZero();
            assertThat(hanging.calls.get()).isEqualTo(1);
        }
    }

    @Test
    void anyCallMovesOnWhenTheNodeSaysItDidNotRunIt() throws Exception {
        FakeNode draining = node("a", Behaviour.RETRY_OTHER);
        node("b", Behaviour.OK);
        try (VesselClient client = client(0)) {
            CallOptions pinnedToA = keyOwnedBy(client, "a.greeter-1.0.0");
            CallResult result = greet(client, pinnedToA);
            assertThat(result.instanceId()).isEqualTo("b.greeter-1.0.0");
            assertThat(result.attempts()).isEqualTo(2);
            assertThat(draining.calls.get()).isPositive();
        }
    }

    @Test
    void theMethodsOwnExceptionIsNeitherRetriedNorHeldAgainstTheInstance() throws Exception {
        FakeNode throwing = node("a", Behaviour.METHOD_THREW);
        node("b", Behaviour.OK);
        try (VesselClient client = VesselClient.builder().connectString(zk.getConnectString())
                .ejection(1, Duration.ofMinutes(1), Duration.ofMinutes(1), 0.5).build()) {
            CallOptions pinnedToA = keyOwnedBy(client, "a.greeter-1.0.0").asIdempotent();
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> greet(client, pinnedToA))
                        .isInstanceOfSatisfying(RemoteCallException.class,
                                e -> assertThat(e.errorCode()).isEqualTo("METHOD_THREW"));
            }
            assertThat(throwing.calls.get()).isEqualTo(5);
        }
    }

    @Test
    void retriesStopWhenTheBudgetIsSpent() throws Exception {
        node("a", Behaviour.BAD_GATEWAY);
        node("b", Behaviour.OK);
        try (VesselClient client = client(1)) {
            CallOptions pinnedToA = keyOwnedBy(client, "a.greeter-1.0.0").asIdempotent();
            assertThat(greet(client, pinnedToA).attempts()).isEqualTo(2); // the one saved-up retry
            assertThatThrownBy(() -> greet(client, pinnedToA))
                    .isInstanceOfSatisfying(RemoteCallException.class, e -> assertThat(e.status()).isEqualTo(502));
        }
    }

    @Test
    void repeatedFailuresEjectAnInstanceSoCallsStopTryingIt() throws Exception {
        FakeNode broken = node("a", Behaviour.BAD_GATEWAY);
        node("b", Behaviour.OK);
        node("c", Behaviour.OK);
        try (VesselClient client = VesselClient.builder().connectString(zk.getConnectString())
                .ejection(3, Duration.ofMinutes(1), Duration.ofMinutes(1), 0.5).build()) {
            for (int i = 0; i < 200; i++) {
                greet(client, CallOptions.idempotentCall());
            }
            assertThat(broken.calls.get()).as("tried until ejected after three failures, then left alone")
                    .isEqualTo(3);
        }
    }

    /**
     * A client given the records instead of a registry (what the CLI builds from a node's answer) calls over
     * HttpURLConnection and must fail the way the JDK's client does, so routing decides the same: a node that says
     * it did not run the call and a refused connection move the call on, a timeout of a call that is not
     * idempotent is not repeated, an idempotent one is.
     */
    @Test
    void aClientGivenTheRecordsRoutesAndFailsOverAsOneWithARegistry() throws Exception {
        FakeNode draining = node("a", Behaviour.RETRY_OTHER);
        node("b", Behaviour.OK);
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        InstanceRecord gone = new InstanceRecord("gone.greeter-1.0.0", "greeter", "1.0.0", "gone", "greeter-1.0.0",
                "z", InstanceState.ACTIVE, 100, "127.0.0.1", closed);
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (VesselClient client = given(withRegistered(gone), asked)) {
            assertThat(client.instances("greeter")).hasSize(3);
            CallResult moved = greet(client, keyOwnedBy(client, "a.greeter-1.0.0"));
            assertThat(moved.instanceId()).isEqualTo("b.greeter-1.0.0");
            assertThat(draining.calls.get()).isEqualTo(1);
            CallResult refused = greet(client, keyOwnedBy(client, "gone.greeter-1.0.0"));
            assertThat(refused.instanceId()).isEqualTo("b.greeter-1.0.0");
            assertThat(refused.attempts()).as("gone, perhaps a (which did not run it), then b").isBetween(2, 3);
            assertThatThrownBy(() -> client.call(CallOptions.DEFAULT, "greeter", "[3.0,4.0)", "greeter", "greet"))
                    .isInstanceOf(NoCompatibleVersionException.class).hasMessageContaining("ACTIVE versions: 1.0.0");
            assertThatThrownBy(() -> client.call(CallOptions.DEFAULT, "other", "[1.0,2.0)", "x", "y"))
                    .isInstanceOf(NoCompatibleVersionException.class);
        }
        assertThat(asked).as("each service asked for once").containsExactly("greeter", "other");

        FakeNode hanging = node("h", Behaviour.HANG);
        try (VesselClient client = given(withRegistered(), asked)) {
            CallOptions toHanging = keyOwnedBy(client, "h.greeter-1.0.0");
            assertThatThrownBy(() -> greet(client, toHanging)).isInstanceOf(VesselClientException.class)
                    .hasMessageContaining("no answer within the attempt timeout (300 ms)")
                    .hasMessageContaining("not retried: it may have run and is not marked idempotent");
            CallResult retried = greet(client, toHanging.asIdempotent());
            assertThat(retried.attempts()).isEqualTo(2);
            assertThat(hanging.calls.get()).isEqualTo(2);
        }
        assertThatThrownBy(() -> VesselClient.builder().instances(s -> List.of()).connectString("127.0.0.1:1")
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
    }

    /** The greeter records registered now, and {@code more}. */
    private List<InstanceRecord> withRegistered(InstanceRecord... more) {
        List<InstanceRecord> records = new ArrayList<>();
        try (VesselClient watching = client(100)) {
            records.addAll(watching.instances("greeter"));
        }
        records.addAll(List.of(more));
        return records;
    }

    private static VesselClient given(List<InstanceRecord> records, List<String> asked) {
        return VesselClient.builder().instances(service -> {
                    asked.add(service);
                    return service.equals("greeter") ? records : List.of();
                }).attemptTimeout(Duration.ofMillis(300)).retryBudget(0.0, 100).hedging(0)
                .ejection(1_000, Duration.ofMinutes(1), Duration.ofMinutes(1), 0.5).build();
    }

    /** How a client declares the greeter API, with its retry and affinity rules. */
    interface Greeter {
        @Idempotent
        String greet(@RoutingKey String name);

        String greetOnce(@RoutingKey String name);
    }

    @Test
    void typedProxiesTakeTheirRoutingKeyAndIdempotencyFromAnnotations() throws Exception {
        FakeNode broken = node("a", Behaviour.BAD_GATEWAY);
        node("b", Behaviour.OK);
        node("c", Behaviour.OK);
        try (VesselClient client = client(100)) {
            Greeter greeter = client.proxy(Greeter.class, "greeter", VersionRanges.parse("[1.0,2.0)"));
            String onA = keyOwnedBy(client, "a.greeter-1.0.0").key();
            String onB = keyOwnedBy(client, "b.greeter-1.0.0").key();
            for (int i = 0; i < 10; i++) {
                assertThat(greeter.greet(onB)).isEqualTo("Hello, Ada! (b)"); // the key keeps its instance
                assertThat(greeter.greet(onA)).isIn("Hello, Ada! (b)", "Hello, Ada! (c)"); // retried elsewhere
            }
            assertThat(broken.calls.get()).isEqualTo(10);
            assertThatThrownBy(() -> greeter.greetOnce(onA)).isInstanceOfSatisfying(RemoteCallException.class,
                    e -> assertThat(e.status()).isEqualTo(502));
            assertThat(broken.calls.get()).isEqualTo(11);
            assertThatThrownBy(() -> greeter.greet(null)).hasMessageContaining("@RoutingKey argument of greet is null");
        }
    }

    /**
     * A routing key whose calls go to {@code instance} while nothing is in flight and nothing is ejected: placement
     * depends only on the instance ids, so a table built from the same records agrees with the client's.
     */
    /**
     * Gives the client the service's recent latency, what "slower than usual" means for hedging, with plain calls
     * to {@code instance} (plain calls are never hedged themselves).
     */
    private void learnLatency(VesselClient client, String instance) {
        CallOptions options = keyOwnedBy(client, instance);
        for (int i = 0; i < 64; i++) {
            greet(client, options);
        }
    }

    private CallOptions keyOwnedBy(VesselClient client, String instance) {
        RoutingTable table = RoutingTable.of(client.instances("greeter"));
        for (int i = 0; i < 1000; i++) {
            Target owner = table.pick(VersionRanges.parse("[1.0,2.0)"), "k" + i, Tried.NONE, 0, System.nanoTime());
            if (owner.record().id().equals(instance)) {
                return CallOptions.keyed("k" + i);
            }
        }
        throw new AssertionError("no key of 1000 lands on " + instance);
    }

    private final class FakeNode {
        final HttpServer server;
        final AtomicInteger calls = new AtomicInteger();

        FakeNode(String name, Behaviour behaviour) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/v1/call/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                calls.incrementAndGet();
                exchange.getResponseHeaders().add("Vessel-Version", "1.0.0");
                switch (behaviour) {
                    case OK -> answer(exchange, 200, "\"Hello, Ada! (" + name + ")\"");
                    case BAD_GATEWAY -> answer(exchange, 502, "{\"error\":\"BAD_GATEWAY\",\"message\":\"upstream\"}");
                    case RETRY_OTHER -> {
                        exchange.getResponseHeaders().add("Vessel-Retry", "other");
                        answer(exchange, 503, "{\"error\":\"UNAVAILABLE\",\"message\":\"draining\"}");
                    }
                    case METHOD_THREW -> answer(exchange, 500,
                            "{\"error\":\"METHOD_THREW\",\"message\":\"java.lang.IllegalStateException: no\"}");
                    case HANG -> {
                        try {
                            release.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        exchange.close();
                    }
                }
            });
            server.start();
        }

        private static void answer(HttpExchange exchange, int status, String json) throws IOException {
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        }
    }
}
