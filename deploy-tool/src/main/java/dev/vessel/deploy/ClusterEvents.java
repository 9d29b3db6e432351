package dev.vessel.deploy;

import dev.vessel.registry.RegistryConnection;
import java.io.Closeable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;

/**
 * Wakes a waiter whenever anything under the registry root changes (status, instances, nodes), so a rollout
 * re-reads the cluster on change instead of polling on a timer.
 */
final class ClusterEvents implements Closeable {
    private final CuratorCache cache;
    private final Semaphore changed = new Semaphore(0);

    ClusterEvents(RegistryConnection registry) {
        cache = CuratorCache.build(registry.curator(), registry.layout().root());
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> changed.release())
                .forInitialized(changed::release)
                .build());
        cache.start();
    }

    /** Waits until something changed since the last call, or {@code millis} passed; true if something changed. */
    boolean awaitChange(long millis) throws InterruptedException {
        boolean any = changed.tryAcquire(Math.max(1, millis), TimeUnit.MILLISECONDS);
        changed.drainPermits();
        return any;
    }

    @Override
    public void close() {
        cache.close();
    }
}
