package dev.vessel.host;

import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceState;

/**
 * A snapshot of one container on this node.
 *
 * @param id      container id, {@code <service>-<version>}
 * @param service service name
 * @param version release version
 * @param state   state when the snapshot was taken
 * @param error   why it FAILED, else {@code null}
 * @param since   when it entered {@code state}, epoch milliseconds
 */
public record ContainerInfo(String id, String service, String version, InstanceState state, String error, long since) {
    public ContainerStatus toStatus() {
        return new ContainerStatus(id, service, version, state, error, since);
    }
}
