package dev.vessel.itest;

import dev.vessel.host.VesselNode;
import java.nio.file.Path;

/**
 * Test kit: a node in a process of its own, so a test can kill it with SIGKILL the way an operator's kill -9 or
 * a machine failure would. Prints {@code READY <port>} once its releases are ACTIVE, then waits to be killed.
 *
 * <p>Arguments: ZooKeeper connect string, data directory, node id, sample release names.
 */
public final class NodeProcess {
    private NodeProcess() {}

    public static void main(String[] args) throws Exception {
        VesselNode node = MultiNodeCluster.node(args[0], Path.of(args[1]), args[2]);
        for (int i = 3; i < args.length; i++) {
            MultiNodeCluster.deploy(node, args[i]);
        }
        System.out.println("READY " + node.port());
        System.out.flush();
        Thread.currentThread().join();
    }
}
