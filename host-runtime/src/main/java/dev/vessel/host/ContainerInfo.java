package dev.vessel.host;

import dev.vessel.registry.ContainerCpu;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.InstanceState;
import java.util.List;

/**
 * A snapshot of one container on this node.
 *
 * @param id              container id, {@code <service>-<version>}
 * @param service         service name
 * @param version         release version
 * @param state           state when the snapshot was taken
 * @param error           why it FAILED, else {@code null}
 * @param since           when it entered {@code state}, epoch milliseconds
 * @param maxConcurrency  how many calls it runs at once (0 before it started)
 * @param overloaded      calls refused with {@code OVERLOADED} because its bulkhead was full
 * @param leftoverThreads threads the release left behind after the container stopped or failed
 * @param configRevision  the service's configuration revision the container's Configuration Admin holds (0: none)
 * @param configError     why the last configuration revision it was given could not be applied, else {@code null}
 * @param cpu             its CPU share, limit and use; {@code null} before it started
 */
public record ContainerInfo(String id, String service, String version, InstanceState state, String error, long since,
        int maxConcurrency, long overloaded, List<String> leftoverThreads, long configRevision, String configError,
        ContainerCpu cpu) {
    public ContainerInfo {
        leftoverThreads = leftoverThreads == null ? List.of() : List.copyOf(leftoverThreads);
    }

    public ContainerStatus toStatus() {
        return new ContainerStatus(id, service, version, state, error, since, maxConcurrency, overloaded,
                leftoverThreads, configRevision, configError, cpu);
    }
}
