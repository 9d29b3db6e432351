package dev.vessel.bench;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts a benchmark's node with its releases as the node's own (the public {@link NodeConfig.Builder#localRelease}),
 * and waits until every one is ACTIVE.
 */
public final class LocalReleases {
    private LocalReleases() {}

    /** A node from {@code config} running one release per jar, once all are ACTIVE. */
    public static VesselNode start(NodeConfig.Builder config, List<Path> jars, Duration patience)
            throws InterruptedException {
        for (Path jar : jars) {
            config.localRelease(ReleaseReader.read(List.of(jar)));
        }
        VesselNode node = VesselNode.start(config.build());
        try {
            long deadline = System.nanoTime() + patience.toNanos();
            while (true) {
                List<ContainerInfo> containers = node.containers();
                for (ContainerInfo info : containers) {
                    if (info.state() == InstanceState.FAILED) {
                        throw new IllegalStateException(info.id() + " did not start: " + info.error());
                    }
                }
                if (containers.size() == jars.size()
                        && containers.stream().allMatch(c -> c.state() == InstanceState.ACTIVE)) {
                    return node;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("not every release is ACTIVE after " + patience + ": "
                            + containers.stream().map(c -> c.id() + " " + c.state()).toList());
                }
                Thread.sleep(20); // a harness's wait for start-up, bounded by the deadline
            }
        } catch (RuntimeException | InterruptedException e) {
            node.close();
            throw e;
        }
    }
}
