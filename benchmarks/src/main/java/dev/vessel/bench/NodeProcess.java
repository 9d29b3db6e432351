package dev.vessel.bench;

import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import java.nio.file.Path;

/**
 * One node in a process of its own, for the distribution benchmark. Prints {@code READY <url>} and runs until the
 * process is ended.
 *
 * <p>Arguments: ZooKeeper connect string, data dir, node id, serving rate bytes/s, peer fetch (true/false),
 * admin token.
 */
public final class NodeProcess {
    private NodeProcess() {}

    public static void main(String[] args) throws Exception {
        VesselNode node = VesselNode.start(NodeConfig.builder(args[0], Path.of(args[1])).nodeId(args[2]).port(0)
                .serveBytesPerSecond(Long.parseLong(args[3])).peerFetch(Boolean.parseBoolean(args[4]))
                .adminToken(args[5]).build());
        Runtime.getRuntime().addShutdownHook(new Thread(node::close));
        System.out.println("READY " + node.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
