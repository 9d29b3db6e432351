package dev.vessel.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How far the cluster is from a service's desired state, read from the registry: per node, the state of each
 * version it should run, whether it is registered, and any instance still registered that should not be.
 */
public record Convergence(List<NodeProgress> nodes, List<String> failures, List<String> unwanted) {
    /**
     * One desired version on one node; {@code registered} means registered with the desired weight.
     */
    public record NodeProgress(String node, String version, String state, boolean registered, String error) {
        public boolean done() {
            return InstanceState.ACTIVE.name().equals(state) && registered;
        }
    }

    /**
     * Every desired version is ACTIVE and registered on every node it selects, and no instance the desired state
     * no longer wants ({@link #unwanted}) is still registered.
     */
    public boolean converged() {
        return failures.isEmpty() && nodes.stream().allMatch(NodeProgress::done) && unwanted.isEmpty();
    }

    public static Convergence of(ClusterReader cluster, Deployment deployment) {
        ClusterReader.Snapshot snapshot = cluster.snapshot(deployment.service());
        return of(deployment, snapshot.nodes(), snapshot.statuses(), snapshot.instances());
    }

    /**
     * From records already read: {@code statuses} by node id, {@code registered} the service's registered
     * instances. The dashboard reads the whole cluster once and works out every service's convergence from it.
     */
    public static Convergence of(Deployment deployment, List<NodeRecord> nodeRecords, Map<String, NodeStatus> statuses,
            List<InstanceRecord> registered) {
        String service = deployment.service();
        Map<String, Integer> registeredWeights = registered.stream()
                .collect(Collectors.toMap(InstanceRecord::id, InstanceRecord::weight, (a, b) -> b));
        List<NodeProgress> progress = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        List<String> unwanted = new ArrayList<>();
        Map<String, NodeRecord> nodes = nodeRecords.stream()
                .collect(Collectors.toMap(NodeRecord::id, n -> n, (a, b) -> b, java.util.LinkedHashMap::new));
        for (NodeRecord node : nodes.values()) {
            Optional<NodeStatus> nodeStatus = Optional.ofNullable(statuses.get(node.id()));
            Map<String, ContainerStatus> containers = nodeStatus.map(NodeStatus::containers)
                    .orElse(List.of()).stream().collect(Collectors.toMap(ContainerStatus::id, c -> c, (a, b) -> b));
            String fetching = nodeStatus.map(NodeStatus::fetches).orElse(List.of()).stream()
                    .map(f -> f.have() + "/" + f.chunks() + " chunks").collect(Collectors.joining(", "));
            for (DeployedVersion version : deployment.versions()) {
                if (!version.selects(node)) {
                    continue;
                }
                String container = service + "-" + version.version();
                ContainerStatus status = containers.get(container);
                String state = status != null ? status.state().name()
                        : fetching.isEmpty() ? InstanceState.PENDING.name() : InstanceState.FETCHING.name() + " "
                                + fetching;
                String error = status == null ? null : status.error();
                Integer weight = registeredWeights.get(node.id() + "." + container);
                progress.add(new NodeProgress(node.id(), version.version(), state,
                        weight != null && weight == version.weight(), error));
                if (status != null && status.state() == InstanceState.FAILED) {
                    failures.add(node.id() + ": " + service + " " + version.version() + " FAILED: " + error);
                }
            }
        }
        for (InstanceRecord instance : registered) {
            NodeRecord node = nodes.get(instance.node());
            boolean wanted = deployment.versions().stream().anyMatch(v -> v.version().equals(instance.version())
                    && (node == null || v.selects(node)));
            if (!wanted) {
                unwanted.add(instance.id());
            }
        }
        return new Convergence(progress, failures, unwanted);
    }
}
