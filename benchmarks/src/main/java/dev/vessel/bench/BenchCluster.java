package dev.vessel.bench;

import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.RegistryConnection;
import java.io.Closeable;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A real cluster in this process: an embedded ZooKeeper and N nodes on loopback, each with its own data dir. */
final class BenchCluster implements Closeable {
    static final String TOKEN = "benchmark-token-0123456789abcdef";

    private final Path dir;
    private final EmbeddedZooKeeper zk;
    final List<VesselNode> nodes = new ArrayList<>();
    final RegistryConnection registry;

    BenchCluster(int nodeCount) throws IOException {
        dir = Files.createTempDirectory("vessel-bench");
        zk = EmbeddedZooKeeper.start(dir.resolve("zk"), freePort());
        for (int i = 1; i <= nodeCount; i++) {
            nodes.add(startNode("node-" + i));
        }
        registry = RegistryConnection.connect(zk.connectString());
    }

    VesselNode startNode(String id) {
        return VesselNode.start(NodeConfig.builder(zk.connectString(), dir.resolve(id)).nodeId(id).port(0)
                .adminToken(TOKEN).build());
    }

    String zkConnect() {
        return zk.connectString();
    }

    AdminClient admin() {
        return new AdminClient(nodes.get(0).url(), TOKEN);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws IOException {
        registry.close();
        nodes.forEach(VesselNode::close);
        zk.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
