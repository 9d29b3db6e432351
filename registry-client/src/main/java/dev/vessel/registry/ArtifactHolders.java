package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.OwnedEphemeral;
import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.ZkChildren;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.utils.CloseableUtils;
import org.apache.zookeeper.KeeperException;

/**
 * Which nodes hold which artifact: {@code {root}/artifacts/{sha256}/{node}}, ephemeral, so a node that goes away
 * stops being a source. A node announces each artifact it stores; others list the holders to fetch from.
 */
public final class ArtifactHolders implements Closeable {
    private final RegistryConnection connection;
    private final String nodeId;
    private final Map<String, OwnedEphemeral> announced = new ConcurrentHashMap<>();

    public ArtifactHolders(RegistryConnection connection, String nodeId) {
        this.connection = requireNonNull(connection, "connection cannot be null");
        this.nodeId = RegistryLayout.requireName(nodeId, "nodeId");
    }

    /** Publishes (or updates) what this node holds of {@code sha256}. */
    public void announce(String sha256, HolderState state) {
        byte[] data = RecordJson.write(state);
        OwnedEphemeral existing = announced.get(RegistryLayout.requireSha256(sha256));
        if (existing != null) {
            try {
                // a PersistentNode refuses data before its first create went through: an update right after the
                // announcement (a small artifact completing at once) would otherwise be lost
                if (!existing.waitForInitialCreate(10, TimeUnit.SECONDS)) {
                    throw new RegistryException("holder record of " + sha256 + " was not created within 10 s");
                }
                existing.setData(data);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while updating the holder record of " + sha256, e);
            } catch (RegistryException e) {
                throw e;
            } catch (Exception e) {
                throw new RegistryException("could not update holder record of " + sha256 + ": " + e.getMessage(), e);
            }
            return;
        }
        announced.computeIfAbsent(sha256, sha -> {
            return new OwnedEphemeral(connection.curator(), connection.layout().artifactHolder(sha, nodeId), data)
                    .start();
        });
    }

    /** Withdraws the announcement, e.g. before the artifact is deleted. */
    public void withdraw(String sha256) {
        OwnedEphemeral node = announced.remove(sha256);
        if (node != null) {
            CloseableUtils.closeQuietly(node);
        }
    }

    /**
     * Keeps what every holder of {@code sha256} announces current through a Curator {@link CuratorCache}, so a
     * download consults memory, not ZooKeeper, each time it schedules chunks. Close it when the download ends.
     */
    public HolderWatch watch(String sha256) {
        return new HolderWatch(connection, RegistryLayout.requireSha256(sha256));
    }

    /** The holders of one artifact as a watch-fed cache. */
    public static final class HolderWatch implements Closeable {
        private final CuratorCache cache;
        private final String parent;

        private HolderWatch(RegistryConnection connection, String sha256) {
            this.parent = connection.layout().artifact(sha256);
            this.cache = CuratorCache.build(connection.curator(), parent);
            this.cache.start();
        }

        /** Holder states by node id, as the cache holds them now. */
        public Map<String, HolderState> states() {
            Map<String, HolderState> states = new TreeMap<>();
            cache.stream().filter(d -> !d.getPath().equals(parent) && d.getData() != null && d.getData().length > 0)
                    .forEach(d -> {
                        try {
                            states.put(ZKPaths.getNodeFromPath(d.getPath()), RecordJson.read(d.getData(),
                                    HolderState.class));
                        } catch (IOException e) {
                            // an unreadable record is no source
                        }
                    });
            return states;
        }

        @Override
        public void close() {
            cache.close();
        }
    }

    /** What each holder of {@code sha256} announces, by node id; holders that vanish meanwhile are left out. */
    public Map<String, HolderState> states(String sha256) {
        Map<String, HolderState> states = new TreeMap<>();
        for (String node : holders(sha256)) {
            String path = connection.layout().artifactHolder(sha256, node);
            try {
                byte[] data = connection.curator().getData().forPath(path);
                states.put(node, data.length == 0 ? new HolderState("default", false, 0, "", true)
                        : RecordJson.read(data, HolderState.class));
            } catch (KeeperException.NoNodeException gone) {
                // its session ended between list and read
            } catch (Exception e) {
                throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
            }
        }
        return states;
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
