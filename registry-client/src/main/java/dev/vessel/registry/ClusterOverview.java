package dev.vessel.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every node, its containers and whether each is registered, read from the registry: what {@code vessel status}
 * shows, built either by the CLI from its own session or by a node for {@code GET /v1/admin/cluster/status}.
 *
 * @param zk    the ZooKeeper connect string it was read through
 * @param nodes every registered node
 */
public record ClusterOverview(String zk, List<Node> nodes) {
    /**
     * @param behind  services the node has not brought to their desired state yet, and why
     * @param fetches artifacts it is fetching right now, with how many of their chunks it has
     * @param cpu     how it isolates its containers' CPU; null from a node that predates it
     */
    public record Node(String id, String url, String zone, List<Container> containers,
            List<NodeStatus.Behind> behind, List<NodeStatus.FetchProgress> fetches, NodeStatus.CpuIsolation cpu) {
        public Node(String id, String url, String zone, List<Container> containers, List<NodeStatus.Behind> behind,
                List<NodeStatus.FetchProgress> fetches) {
            this(id, url, zone, containers, behind, fetches, null);
        }
    }

    /**
     * @param load            the load the node last published for the container, null when it is not registered
     * @param overloaded      calls it refused because its bulkhead was full
     * @param leftoverThreads threads its release left running after it stopped
     * @param cpu             its CPU share, limit and use; null before it started
     */
    public record Container(String id, String service, String version, String state, boolean registered,
            Double load, String error, int maxConcurrency, long overloaded, List<String> leftoverThreads,
            ContainerCpu cpu) {
        public Container(String id, String service, String version, String state, boolean registered, Double load,
                String error, int maxConcurrency, long overloaded, List<String> leftoverThreads) {
            this(id, service, version, state, registered, load, error, maxConcurrency, overloaded, leftoverThreads,
                    null);
        }
    }

    public static ClusterOverview read(ClusterReader reader, String zk) {
        ClusterReader.Snapshot snapshot = reader.snapshot();
        return of(zk, snapshot.nodes(), snapshot.statuses(), snapshot.instances());
    }

    /** From records already read: {@code statuses} by node id, {@code instances} every registered instance. */
    public static ClusterOverview of(String zk, List<NodeRecord> nodeRecords, Map<String, NodeStatus> statuses,
            List<InstanceRecord> instances) {
        Map<String, InstanceRecord> registered = instances.stream()
                .collect(Collectors.toMap(InstanceRecord::id, record -> record, (a, b) -> a));
        List<Node> nodes = new ArrayList<>();
        for (NodeRecord node : nodeRecords) {
            List<Container> containers = new ArrayList<>();
            Optional<NodeStatus> nodeStatus = Optional.ofNullable(statuses.get(node.id()));
            for (ContainerStatus c : nodeStatus.map(NodeStatus::containers).orElse(List.of())) {
                InstanceRecord record = registered.get(node.id() + "." + c.id());
                containers.add(new Container(c.id(), c.service(), c.version(), c.state().name(), record != null,
                        record == null ? null : record.load(), c.error(), c.maxConcurrency(), c.overloaded(),
                        c.leftoverThreads(), c.cpu()));
            }
            nodes.add(new Node(node.id(), node.url(), node.zone(), containers,
                    nodeStatus.map(NodeStatus::behind).orElse(List.of()),
                    nodeStatus.map(NodeStatus::fetches).orElse(List.of()),
                    nodeStatus.map(NodeStatus::cpu).orElse(null)));
        }
        return new ClusterOverview(zk, nodes);
    }
}
