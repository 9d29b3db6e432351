package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.util.function.Consumer;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a listener which service's configuration moved to a new revision, through a Curator
 * {@link CuratorCache} on {@code {root}/configurations}: once per service after the initial load, then on every
 * change of a service's current-revision number. The listener reads the revision itself
 * ({@link ConfigurationStore}), so it always acts on the newest, whatever events it missed.
 */
public final class ConfigurationWatch implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigurationWatch.class);

    private final CuratorCache cache;
    private final String parent;
    private final Consumer<String> listener;

    private ConfigurationWatch(RegistryConnection connection, Consumer<String> listener) {
        this.parent = connection.layout().configurations();
        this.cache = CuratorCache.build(connection.curator(), parent);
        this.listener = listener;
    }

    public static ConfigurationWatch start(RegistryConnection connection, Consumer<String> listener) {
        ConfigurationWatch watch = new ConfigurationWatch(requireNonNull(connection, "connection cannot be null"),
                requireNonNull(listener, "listener cannot be null"));
        watch.cache.listenable().addListener(CuratorCacheListener.builder()
                .forInitialized(watch::announceAll)
                .forCreatesAndChanges((before, after) -> watch.announce(after))
                .build());
        watch.cache.start();
        return watch;
    }

    private void announceAll() {
        cache.stream().forEach(this::announce);
    }

    private void announce(ChildData data) {
        // only a service's own znode (its current-revision number), not the revisions below it
        if (!parent.equals(ZKPaths.getPathAndNode(data.getPath()).getPath())) {
            return;
        }
        try {
            listener.accept(ZKPaths.getNodeFromPath(data.getPath()));
        } catch (RuntimeException e) {
            LOG.warn("configuration listener failed for {}", data.getPath(), e);
        }
    }

    @Override
    public void close() {
        cache.close();
    }
}
