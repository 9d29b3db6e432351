package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One container on a node as reported in its {@link NodeStatus}.
 *
 * @param id              container id on the node, {@code <service>-<version>}
 * @param service         service name
 * @param version         release version
 * @param state           container state
 * @param error           why the container FAILED; {@code null} otherwise
 * @param since           when it entered {@code state}, epoch milliseconds
 * @param maxConcurrency  how many calls it runs at once (0 before it started)
 * @param overloaded      calls it refused because it was running and queueing as many as it may
 * @param leftoverThreads threads its release left running after it stopped or failed
 * @param configRevision  the service's configuration revision its Configuration Admin holds (0: none yet)
 * @param configError     why the last revision it was given could not be applied; {@code null} when it was
 * @param cpu             its CPU share, limit and use; {@code null} before it started (or from an older node)
 */
public record ContainerStatus(String id, String service, String version, InstanceState state, String error,
        long since, int maxConcurrency, long overloaded, List<String> leftoverThreads, long configRevision,
        String configError, ContainerCpu cpu) {
    public ContainerStatus {
        requireNonNull(id, "id cannot be null");
        requireNonNull(service, "service cannot be null");
        requireNonNull(version, "version cannot be null");
        requireNonNull(state, "state cannot be null");
        leftoverThreads = leftoverThreads == null ? List.of() : List.copyOf(leftoverThreads);
    }

    public ContainerStatus(String id, String service, String version, InstanceState state, String error, long since,
            int maxConcurrency, long overloaded, List<String> leftoverThreads, long configRevision,
            String configError) {
        this(id, service, version, state, error, since, maxConcurrency, overloaded, leftoverThreads, configRevision,
                configError, null);
    }

    public ContainerStatus(String id, String service, String version, InstanceState state, String error, long since) {
        this(id, service, version, state, error, since, 0, 0, List.of(), 0, null, null);
    }
}
