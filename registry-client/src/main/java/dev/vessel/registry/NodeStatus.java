package dev.vessel.registry;

import java.util.List;

/**
 * Every container of a node and its state, stored ephemerally at {@code {root}/status/{node}}.
 *
 * @param node       node id
 * @param containers the node's containers, by service and version
 * @param updated    when this status was written, epoch milliseconds
 * @param fetches    artifacts the node is fetching right now, with how many chunks it has
 */
public record NodeStatus(String node, List<ContainerStatus> containers, long updated, List<FetchProgress> fetches) {
    /** One artifact being fetched: {@code have} of {@code chunks} chunks are in. */
    public record FetchProgress(String sha256, int have, int chunks) {}

    public NodeStatus {
        RegistryLayout.requireName(node, "node");
        containers = containers == null ? List.of() : List.copyOf(containers);
        fetches = fetches == null ? List.of() : List.copyOf(fetches);
    }

    public NodeStatus(String node, List<ContainerStatus> containers, long updated) {
        this(node, containers, updated, List.of());
    }
}
