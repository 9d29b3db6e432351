package dev.vessel.host.internal.http;

import dev.vessel.host.internal.container.Container;
import java.util.List;

/** What the data plane needs to know about the node's containers. */
public interface ContainerLookup {
    /** The container running {@code version} (normalized OSGi form) of {@code service}, or null. */
    Container find(String service, String version);

    /** Whether any container on the node, in any state, belongs to {@code service}. */
    boolean hasService(String service);

    /** Every container, by service and version, for health output. */
    List<Container> all();

    String nodeId();

    /** Bytes of artifacts served to peers since the node started (for health output). */
    long artifactBytesServed();

    /** Whether the node has started and its owner let it be used (see {@code NodeConfig.readinessHeld}). */
    boolean ready();
}
