package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

/**
 * One container on a node as reported in its {@link NodeStatus}.
 *
 * @param id      container id on the node, {@code <service>-<version>}
 * @param service service name
 * @param version release version
 * @param state   container state
 * @param error   why the container FAILED; {@code null} otherwise
 * @param since   when it entered {@code state}, epoch milliseconds
 */
public record ContainerStatus(
        String id, String service, String version, InstanceState state, String error, long since) {
    public ContainerStatus {
        requireNonNull(id, "id cannot be null");
        requireNonNull(service, "service cannot be null");
        requireNonNull(version, "version cannot be null");
        requireNonNull(state, "state cannot be null");
    }
}
