package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.ZkChildren;
import java.io.Closeable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.utils.CloseableUtils;
import org.apache.zookeeper.CreateMode;

/**
 * Which nodes hold which artifact: {@code {root}/artifacts/{sha256}/{node}}, ephemeral, so a node that goes away
 * stops being a source. A node announces each artifact it stores; others list the holders to fetch from.
 */
public final class ArtifactHolders implements Closeable {
    private final RegistryConnection connection;
    private final String nodeId;
    private final Map<String, PersistentNode> announced = new ConcurrentHashMap<>();

    public ArtifactHolders(RegistryConnection connection, String nodeId) {
        this.connection = requireNonNull(connection, "connection cannot be null");
        this.nodeId = RegistryLayout.requireName(nodeId, "nodeId");
    }

    /** Announces that this node holds {@code sha256}; announcing twice does nothing. */
    public void announce(String sha256) {
        announced.computeIfAbsent(RegistryLayout.requireSha256(sha256), sha -> {
            PersistentNode node = new PersistentNode(connection.curator(), CreateMode.EPHEMERAL, false,
                    connection.layout().artifactHolder(sha, nodeId), new byte[0]);
            node.start();
            return node;
        });
    }

    /** Withdraws the announcement, e.g. before the artifact is deleted. */
    public void withdraw(String sha256) {
        PersistentNode node = announced.remove(sha256);
        if (node != null) {
            CloseableUtils.closeQuietly(node);
        }
    }

    /** Node ids that announce {@code sha256}, by name. */
    public List<String> holders(String sha256) {
        try {
            return ZkChildren.sorted(connection.curator(), connection.layout().artifact(sha256));
        } catch (Exception e) {
            throw new RegistryException("could not list holders of " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        announced.values().forEach(CloseableUtils::closeQuietly);
        announced.clear();
    }
}
