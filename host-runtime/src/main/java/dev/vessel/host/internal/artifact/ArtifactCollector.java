package dev.vessel.host.internal.artifact;

import dev.vessel.registry.BundleRef;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes artifacts no release references any more, once they have been left alone for the grace period (an
 * upload whose release is still being created is young, so it survives). An artifact any release needs is never
 * removed, whatever its age.
 */
public final class ArtifactCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactCollector.class);

    private final ArtifactStore store;
    private final ArtifactPresence presence;
    private final ReleaseStore releases;
    private final Duration grace;

    public ArtifactCollector(ArtifactStore store, ArtifactPresence presence, ReleaseStore releases, Duration grace) {
        this.store = store;
        this.presence = presence;
        this.releases = releases;
        this.grace = grace;
    }

    /** One pass; returns the digests it removed. */
    public List<String> collect() throws IOException {
        Set<String> referenced = new HashSet<>();
        for (String service : releases.services()) {
            for (ReleaseManifest release : releases.list(service)) {
                release.bundles().stream().map(BundleRef::sha256).forEach(referenced::add);
            }
        }
        long cutoff = System.currentTimeMillis() - grace.toMillis();
        List<String> candidates = new ArrayList<>(store.list());
        candidates.addAll(store.listPartial());
        List<String> removed = new ArrayList<>();
        for (String sha : candidates) {
            if (!referenced.contains(sha) && store.lastModified(sha) < cutoff) {
                presence.withdraw(sha);
                store.delete(sha);
                removed.add(sha);
                LOG.info("removed artifact {}: no release references it", sha);
            }
        }
        return removed;
    }
}
