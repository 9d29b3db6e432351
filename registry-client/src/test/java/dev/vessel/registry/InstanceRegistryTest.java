package dev.vessel.registry;

import static dev.vessel.registry.RegistryTestSupport.expireSession;
import static dev.vessel.registry.RegistryTestSupport.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.Test;

class InstanceRegistryTest extends RegistryTestBase {

    @Test
    void aStockCuratorClientWithAMapPayloadListsVesselInstances() throws Exception {
        InstanceRegistry registry = new InstanceRegistry(node);
        registry.register(record("n1", "greeter", "1.0.0", 7070));
        registry.register(record("n1", "greeter", "1.1.0", 7070));

        try (CuratorFramework plain = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            plain.start();
            @SuppressWarnings({"unchecked", "rawtypes"})
            ServiceDiscovery<Map> stock = ServiceDiscoveryBuilder.builder(Map.class)
                    .client(plain)
                    .basePath("/vessel/services")
                    .serializer(new JsonInstanceSerializer<>(Map.class))
                    .build();
            stock.start();
            try {
                assertThat(stock.queryForNames()).containsExactly("greeter");
                Map<String, ServiceInstance<Map>> byId = stock.queryForInstances("greeter").stream()
                        .collect(Collectors.toMap(ServiceInstance::getId, i -> i));
                assertThat(byId).containsOnlyKeys("n1.greeter-1.0.0", "n1.greeter-1.1.0");
                ServiceInstance<Map> instance = byId.get("n1.greeter-1.1.0");
                assertThat(instance.getAddress()).isEqualTo("127.0.0.1");
                assertThat(instance.getPort()).isEqualTo(7070);
                assertThat(instance.getPayload())
                        .containsEntry("version", "1.1.0")
                        .containsEntry("node", "n1")
                        .containsEntry("container", "greeter-1.1.0")
                        .containsEntry("zone", "z1")
                        .containsEntry("state", "ACTIVE")
                        .containsEntry("weight", "100");
            } finally {
                stock.close();
            }
        }
    }

    /**
     * Past the most instances a service may have, a registration is refused with the reason, before ZooKeeper's
     * reply to a router's listing grows past what it can carry; other services still register.
     */
    @Test
    void aServiceThatHasTheMostInstancesItMayHaveRefusesAnotherWithTheReason() {
        InstanceRegistry registry = new InstanceRegistry(node, 3);
        for (int i = 1; i <= 3; i++) {
            registry.register(record("n" + i, "greeter", "1.0.0", 7070));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.register(record("n4", "greeter", "1.0.0",
                7070))).isInstanceOf(RegistryException.class)
                .hasMessage("could not register n4.greeter-1.0.0: service greeter already has 3 instances, the most"
                        + " one service may have (3): routers read them in one ZooKeeper reply of at most 1 MiB."
                        + " Spread the load over fewer, larger instances or over several services");
        assertThat(new ClusterReader(reader).instances()).extracting(InstanceRecord::id)
                .containsExactlyInAnyOrder("n1.greeter-1.0.0", "n2.greeter-1.0.0", "n3.greeter-1.0.0");
        registry.register(record("n4", "billing", "1.0.0", 7070));
        assertThat(InstanceRegistry.MAX_INSTANCES_PER_SERVICE * (128 + 4)).as("every id of the most, at its longest")
                .isLessThan(1 << 20);
    }

    @Test
    void instancesComeBackAfterTheSessionExpires() throws Exception {
        InstanceRegistry registry = new InstanceRegistry(node);
        registry.register(record("n1", "greeter", "1.0.0", 7070));
        registry.register(record("n1", "greeter", "2.0.0", 7070));
        registry.register(record("n1", "billing", "3.1.0", 7070));
        ClusterReader view = new ClusterReader(reader);
        assertThat(view.instances()).hasSize(3);

        List<ConnectionState> states = new CopyOnWriteArrayList<>();
        node.curator().getConnectionStateListenable().addListener((c, s) -> states.add(s));
        expireSession(node.curator());

        await().atMost(Duration.ofSeconds(20)).until(() -> states.contains(ConnectionState.LOST)
                && states.contains(ConnectionState.RECONNECTED));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(view.instances())
                .extracting(InstanceRecord::id)
                .containsExactlyInAnyOrder("n1.billing-3.1.0", "n1.greeter-1.0.0", "n1.greeter-2.0.0"));
        // the injected expiry is the client's alone: the server would reap the old session only when its timeout
        // (15 s) passes; the new session takes every instance over on reconnecting instead
        long session = node.curator().getZookeeperClient().getZooKeeper().getSessionId();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            assertThat(owners("/vessel/services/greeter")).containsOnly(session).hasSize(2);
            assertThat(owners("/vessel/services/billing")).containsOnly(session).hasSize(1);
        });
    }

    /**
     * ZooKeeper stopped until the node's session is lost, then started again: it restores the old session from its
     * log and would keep its records a whole session timeout longer. The node's new session owns every record
     * (instances, node record, status) within seconds of the server being back, not when the old one expires.
     */
    @Test
    void afterAServerOutagePastTheSessionTheNewSessionOwnsEveryRecordAtOnce() throws Exception {
        InstanceRegistry registry = new InstanceRegistry(node);
        registry.register(record("n1", "greeter", "1.0.0", 7070));
        registry.register(record("n1", "greeter", "2.0.0", 7070));
        NodePresence presence = NodePresence.publish(node, new NodeRecord("n1", "127.0.0.1", 7070, "z1", Map.of(), 0, 0),
                5_000);
        java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
        node.curator().getConnectionStateListenable().addListener((c, s) -> {
            if (s == ConnectionState.LOST) {
                lost.countDown();
            }
        });
        reader.close();
        zk.stop();
        assertThat(lost.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("the node's session was lost").isTrue();
        zk.restart();
        reader = RegistryConnection.connect(zk.getConnectString());
        long before = owners("/vessel/services/greeter").iterator().next();

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() -> {
            long session = node.curator().getZookeeperClient().getZooKeeper().getSessionId();
            assertThat(session).isNotEqualTo(before);
            assertThat(owners("/vessel/services/greeter")).containsOnly(session).hasSize(2);
            assertThat(owners("/vessel/nodes")).containsOnly(session);
            assertThat(owners("/vessel/status")).containsOnly(session);
        });
        presence.close();
    }

    /** The session owning each child of {@code parent}, one entry per child. */
    private List<Long> owners(String parent) throws Exception {
        List<Long> owners = new java.util.ArrayList<>();
        for (String child : reader.curator().getChildren().forPath(parent)) {
            owners.add(reader.curator().checkExists().forPath(parent + "/" + child).getEphemeralOwner());
        }
        return owners;
    }

    /** Counts its instances: a reader that honours a record's class name makes one. */
    public static final class Tripwire extends java.util.HashMap<String, String> {
        private static final long serialVersionUID = 1L;
        static final java.util.concurrent.atomic.AtomicInteger MADE = new java.util.concurrent.atomic.AtomicInteger();

        public Tripwire() {
            MADE.incrementAndGet();
        }
    }

    @Test
    void theClassNameARecordGivesItsPayloadIsNeverInstantiated() throws Exception {
        InstanceRecord honest = record("n9", "greeter", "1.0.0", 7079);
        new InstanceRegistry(node).register(honest);
        String path = "/vessel/services/greeter/" + honest.id();
        String json = new String(node.curator().getData().forPath(path), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).as("x-discovery writes the payload's class").contains("\"@class\"");
        String poisoned = json.replaceFirst("\"@class\":\"[^\"]+\"", java.util.regex.Matcher.quoteReplacement(
                "\"@class\":\"" + Tripwire.class.getName() + "\""));
        node.curator().setData().forPath(path, poisoned.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        // read by a listing and by the discovery that routers' caches use
        assertThat(new ClusterReader(reader).instances("greeter")).singleElement().satisfies(read -> {
            assertThat(read.id()).isEqualTo(honest.id());
            assertThat(read.version()).isEqualTo("1.0.0");
            assertThat(read.port()).isEqualTo(7079);
        });
        assertThat(reader.discovery().queryForInstances("greeter")).singleElement()
                .satisfies(instance -> assertThat(instance.getPayload()).containsEntry("node", "n9")
                        .doesNotContainKey("@class").isNotInstanceOf(Tripwire.class));
        assertThat(Tripwire.MADE).hasValue(0);
    }

    @Test
    void unregisteredInstancesDisappearAndUnknownOnesAreIgnored() {
        InstanceRegistry registry = new InstanceRegistry(node);
        InstanceRecord one = record("n1", "greeter", "1.0.0", 7070);
        registry.register(one);
        registry.register(record("n2", "greeter", "1.0.0", 7071));
        registry.unregister(one);
        registry.unregister(one);
        assertThat(new ClusterReader(reader).instances("greeter"))
                .extracting(InstanceRecord::id)
                .containsExactly("n2.greeter-1.0.0");
    }
}
