package dev.vessel.registry;

import java.util.List;

/**
 * Every container of a node and its state, stored ephemerally at {@code {root}/status/{node}}.
 *
 * @param node       node id
 * @param containers the node's containers, in start order
 * @param updated    when this status was written, epoch milliseconds
 */
public record NodeStatus(String node, List<ContainerStatus> containers, long updated) {
    public NodeStatus {
        RegistryLayout.requireName(node, "node");
        containers = containers == null ? List.of() : List.copyOf(containers);
    }
}
