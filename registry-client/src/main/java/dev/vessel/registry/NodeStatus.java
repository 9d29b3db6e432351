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
 * @param cpu        how the node keeps its containers' CPU apart; {@code null} from a node that predates it
 */
public record NodeStatus(String node, List<ContainerStatus> containers, long updated, List<FetchProgress> fetches,
        List<Behind> behind, CpuIsolation cpu) {
    /**
     * How a node isolates its containers' CPU.
     *
     * @param mechanism {@code cgroup-v1} (the kernel's control groups), {@code measured} (calls refused while a
     *                  container is over its budget) or {@code none}
     * @param reason    why that one: what was asked and what the machine offered
     * @param capacity  the cores its containers may use together: its cores less its reserve
     */
    public record CpuIsolation(String mechanism, String reason, double capacity) {}

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

    public NodeStatus(String node, List<ContainerStatus> containers, long updated, List<FetchProgress> fetches,
            List<Behind> behind) {
        this(node, containers, updated, fetches, behind, null);
    }

    public NodeStatus(String node, List<ContainerStatus> containers, long updated) {
        this(node, containers, updated, List.of(), List.of());
    }
}
