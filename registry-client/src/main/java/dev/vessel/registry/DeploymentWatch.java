package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import java.io.Closeable;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every service's desired state current through a Curator {@link CuratorCache} on
 * {@code {root}/deployments} and hands the listener the complete map (service → deployment) after every change
 * and once the initial load is done. Unreadable entries are skipped with a warning.
 */
public final class DeploymentWatch implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DeploymentWatch.class);

    private final CuratorCache cache;
    private final String parent;
    private final Consumer<Map<String, Deployment>> listener;

    private DeploymentWatch(RegistryConnection connection, Consumer<Map<String, Deployment>> listener) {
        this.parent = connection.layout().deployments();
        this.cache = CuratorCache.build(connection.curator(), parent);
        this.listener = listener;
    }

    public static DeploymentWatch start(RegistryConnection connection, Consumer<Map<String, Deployment>> listener) {
        DeploymentWatch watch = new DeploymentWatch(requireNonNull(connection, "connection cannot be null"),
                requireNonNull(listener, "listener cannot be null"));
        watch.cache.listenable().addListener(CuratorCacheListener.builder()
                .forInitialized(watch::publish)
                .forAll((type, before, after) -> watch.publishIfInitialized())
                .build());
        watch.cache.start();
        return watch;
    }

    private volatile boolean initialized;

    private void publishIfInitialized() {
        if (initialized) {
            publish();
        }
    }

    private void publish() {
        initialized = true;
        try {
            listener.accept(current());
        } catch (RuntimeException e) {
            LOG.warn("deployment listener failed", e);
        }
    }

    /** Every service's deployment as the cache holds it now. */
    public Map<String, Deployment> current() {
        Map<String, Deployment> deployments = new TreeMap<>();
        cache.stream().filter(d -> parent.equals(ZKPaths.getPathAndNode(d.getPath()).getPath()))
                .forEach(d -> read(d, deployments));
        return deployments;
    }

    private static void read(ChildData data, Map<String, Deployment> into) {
        try {
            Deployment deployment = RecordJson.read(data.getData(), Deployment.class);
            into.put(deployment.service(), deployment);
        } catch (Exception e) {
            LOG.warn("skipping unreadable deployment at {}: {}", data.getPath(), e.getMessage());
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
