package dev.vessel.host.internal.admin;

import dev.vessel.registry.AccessToken;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.internal.RecordJson;
import java.io.Closeable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.utils.ZKPaths;

/**
 * The cluster's scoped tokens as this node knows them: a Curator cache of {@code {root}/tokens}, so a token created
 * or revoked anywhere counts here as soon as the watch fires, and checking one costs a map look-up and a hash.
 * A record that cannot be read allows nothing.
 */
final class ScopedTokens implements Closeable {
    private final Map<String, AccessToken> byId = new ConcurrentHashMap<>();
    private final CuratorCache cache;

    ScopedTokens(RegistryConnection registry) {
        String folder = registry.layout().tokens();
        cache = CuratorCache.build(registry.curator(), folder);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, now) -> put(folder, now))
                .forDeletes(gone -> byId.remove(ZKPaths.getNodeFromPath(gone.getPath())))
                .build());
        cache.start();
    }

    private void put(String folder, ChildData data) {
        if (data.getPath().equals(folder)) {
            return;
        }
        String id = ZKPaths.getNodeFromPath(data.getPath());
        try {
            AccessToken token = RecordJson.read(data.getData(), AccessToken.class);
            if (token.id().equals(id)) {
                byId.put(id, token);
                return;
            }
        } catch (Exception unreadable) {
            // falls through: a record this node cannot read allows nothing
        }
        byId.remove(id);
    }

    /** The record of {@code bearer}, when it is a scoped token this cluster issued and has not revoked. */
    Optional<AccessToken> verify(String bearer) {
        return AccessToken.idOf(bearer).map(byId::get).filter(token -> token.verifies(bearer));
    }

    @Override
    public void close() {
        cache.close();
    }
}
