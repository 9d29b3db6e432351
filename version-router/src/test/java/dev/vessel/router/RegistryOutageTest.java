package dev.vessel.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * A whole registry outage past every session, against a real ZooKeeper server and a real HTTP instance on loopback:
 * when the registry is back, the instance's record is gone (its node's session expired) while the instance still
 * answers. A client keeps routing to it through the grace; a client without grace loses it.
 */
class RegistryOutageTest {
    private static final Duration GRACE = Duration.ofSeconds(60);

    @Test
    void aLostSessionsEmptyRegistryDoesNotEmptyTheTableWhileItsInstanceAnswers() throws Exception {
        HttpServer instance = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        instance.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        instance.createContext("/v1/call/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "\"Hello, Ada!\"".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Vessel-Version", "1.0.0");
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        instance.start();
        InstanceRecord record = new InstanceRecord("n1.greeter-1.0.0", "greeter", "1.0.0", "n1", "greeter-1.0.0", "z",
                InstanceState.ACTIVE, 100, "127.0.0.1", instance.getAddress().getPort());
        try (TestingServer zk = new TestingServer(true)) {
            RegistryConnection nodeSession = RegistryConnection.connect(zk.getConnectString());
            InstanceRegistry node = new InstanceRegistry(nodeSession);
            node.register(record);
            CountDownLatch lost = new CountDownLatch(1);
            try (RegistryConnection clientSession = RegistryConnection.connect(zk.getConnectString());
                    VesselClient client = VesselClient.builder().registry(clientSession).registryGrace(GRACE).build();
                    VesselClient trusting = VesselClient.builder().connectString(zk.getConnectString())
                            .registryGrace(Duration.ZERO).build()) {
                clientSession.curator().getConnectionStateListenable().addListener((c, state) -> {
                    if (state == ConnectionState.LOST) {
                        lost.countDown();
                    }
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> client.instances("greeter").size() == 1
                        && trusting.instances("greeter").size() == 1);

                Load load = new Load(client);
                try {
                    zk.stop();
                    // the node goes with the registry: its session ends on the server once the server is back
                    node.close();
                    nodeSession.close();
                    assertThat(lost.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the client's session was"
                            + " lost").isTrue();
                    zk.restart();
                    try (RegistryConnection reader = RegistryConnection.connect(zk.getConnectString())) {
                        ClusterReader registry = new ClusterReader(reader);
                        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                                .until(() -> registry.instances("greeter").isEmpty());
                    }
                    // the registry lists no instance; the trusting client believes it, this one keeps routing
                    await().atMost(Duration.ofSeconds(10)).until(() -> trusting.instances("greeter").isEmpty());
                    await().atMost(Duration.ofSeconds(10)).until(() -> retained(client) == 1);
                    long before = load.ok.sum();
                    await().atMost(Duration.ofSeconds(10)).until(() -> load.ok.sum() > before + 100);
                    assertThat(client.instances("greeter")).extracting(InstanceRecord::id)
                            .containsExactly(record.id());

                    // the node registers again: the registry's record is routed, nothing retained
                    try (RegistryConnection back = RegistryConnection.connect(zk.getConnectString());
                            InstanceRegistry again = new InstanceRegistry(back)) {
                        again.register(record);
                        await().atMost(Duration.ofSeconds(10)).until(() -> retained(client) == 0
                                && trusting.instances("greeter").size() == 1);
                        assertThat(client.instances("greeter")).hasSize(1);
                    }
                } finally {
                    load.stop();
                }
                assertThat(load.failed.sum()).as("calls that failed; the first: " + load.firstFailure.get())
                        .isZero();
                assertThat(load.ok.sum()).isPositive();
            }
        } finally {
            instance.stop(0);
        }
    }

    private static int retained(VesselClient client) {
        return client.statistics().stream().filter(s -> s.service().equals("greeter")).findFirst()
                .map(ServiceStatistics::retained).orElse(-1);
    }

    /** Two threads calling greeter until stopped, counting what answered and what failed. */
    private static final class Load {
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        Load(VesselClient client) {
            for (int i = 0; i < 2; i++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        try {
                            client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                            ok.increment();
                        } catch (RuntimeException e) {
                            firstFailure.compareAndSet(null, e);
                            failed.increment();
                        }
                    }
                }, "load-" + i);
                thread.start();
                threads.add(thread);
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }
    }
}
