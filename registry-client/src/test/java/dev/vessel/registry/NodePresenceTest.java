package dev.vessel.registry;

import static dev.vessel.registry.RegistryTestSupport.expireSession;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodePresenceTest extends RegistryTestBase {

    @Test
    void nodeRecordAndStatusArePublishedUpdatedAndRemoved() {
        NodeRecord record = new NodeRecord("n1", "127.0.0.1", 7070, "z1", Map.of("rack", "r7"), 1L, 0);
        ClusterReader view = new ClusterReader(reader);
        try (NodePresence presence = NodePresence.publish(node, record, 10_000)) {
            assertThat(view.nodes()).containsExactly(record);
            assertThat(view.status("n1")).hasValueSatisfying(s -> assertThat(s.containers()).isEmpty());

            ContainerStatus failed = new ContainerStatus("broken-1.0.0", "broken", "1.0.0", InstanceState.FAILED,
                    "activator threw", 5L);
            presence.update(new NodeStatus("n1", List.of(failed), 6L));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(view.status("n1"))
                    .hasValueSatisfying(s -> assertThat(s.containers()).containsExactly(failed)));
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(view.nodes()).isEmpty());
        assertThat(view.status("n1")).isEmpty();
    }

    @Test
    void aNodeRecordNobodyCanReadIsLeftOutOfListingsAndBreaksNone() throws Exception {
        NodeRecord record = new NodeRecord("n1", "127.0.0.1", 7070, "z1", Map.of(), 1L, 0);
        ClusterReader view = new ClusterReader(reader);
        try (NodePresence presence = NodePresence.publish(node, record, 10_000)) {
            node.curator().create().forPath(reader.layout().node("poison"), "{\"id\": [".getBytes());
            node.curator().create().forPath(reader.layout().status("poison"), "not json".getBytes());
            assertThat(view.nodes()).containsExactly(record);
            assertThat(view.status("poison")).isEmpty();
            ClusterReader.Snapshot snapshot = view.snapshot();
            assertThat(snapshot.nodes()).containsExactly(record);
            assertThat(snapshot.statuses()).containsOnlyKeys("n1");
        }
    }

    @Test
    void theNodeRecordComesBackAfterTheSessionExpires() throws Exception {
        NodeRecord record = new NodeRecord("n1", "127.0.0.1", 7070, "z1", Map.of(), 1L, 0);
        ClusterReader view = new ClusterReader(reader);
        try (NodePresence presence = NodePresence.publish(node, record, 10_000)) {
            expireSession(node.curator());
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(view.nodes()).containsExactly(record);
                assertThat(view.status("n1")).isPresent();
            });
        }
    }

    @Test
    void badNamesAndRootsAreRefusedWithTheRule() {
        assertThatThrownBy(() -> new NodeRecord("a/b", "127.0.0.1", 1, "z", Map.of(), 0, 0))
                .hasMessageContaining("node id must be 1-128 characters");
        assertThatThrownBy(() -> RegistryLayout.at("vessel"))
                .hasMessageContaining("absolute ZooKeeper path");
    }
}
