package dev.vessel.registry;

import java.util.List;

/**
 * Every container of a node and its state, stored ephemerally at {@code {root}/status/{node}}.
 *
 * @param node       node id
 * @param containers the node's containers, by service and version
 * @param updated    when this status was written, epoch milliseconds
 * @param fetches    artifacts the node is fetching right now, with how many chunks it has
 * @param behind     services whose desired state this node has not reached, and why
 */
public record NodeStatus(String node, List<ContainerStatus> containers, long updated, List<FetchProgress> fetches,
        List<Behind> behind) {
    /** One artifact being fetched: {@code have} of {@code chunks} chunks are in. */
    public record FetchProgress(String sha256, int have, int chunks) {}

    /**
     * A service this node does not yet run as its deployment asks.
     *
     * @param service   the service
     * @param revision  the deployment revision the node is working towards
     * @param lastError why the last attempt did not get there
     * @param attempts  attempts that failed in a row
     * @param nextRetry when the node tries again, epoch milliseconds
     */
    public record Behind(String service, long revision, String lastError, int attempts, long nextRetry) {}

    public NodeStatus {
        RegistryLayout.requireName(node, "node");
        containers = containers == null ? List.of() : List.copyOf(containers);
        fetches = fetches == null ? List.of() : List.copyOf(fetches);
        behind = behind == null ? List.of() : List.copyOf(behind);
    }

    public NodeStatus(String node, List<ContainerStatus> containers, long updated) {
        this(node, containers, updated, List.of(), List.of());
    }
}
