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
        // the injected expiry is the client's alone: the server reaps the old session when its timeout passes, and
        // each instance is re-created by the new session at once, never left out meanwhile
        long session = node.curator().getZookeeperClient().getZooKeeper().getSessionId();
        await().atMost(Duration.ofSeconds(40)).ignoreExceptions().untilAsserted(() -> {
            for (String child : reader.curator().getChildren().forPath("/vessel/services/greeter")) {
                assertThat(reader.curator().checkExists().forPath("/vessel/services/greeter/" + child)
                        .getEphemeralOwner()).isEqualTo(session);
            }
            assertThat(view.instances()).hasSize(3);
        });
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
