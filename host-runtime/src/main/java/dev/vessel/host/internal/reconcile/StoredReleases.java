package dev.vessel.host.internal.reconcile;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.InvalidReleaseException;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.registry.BundleRef;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Releases as the registry records them, their bundles fetched into the node's artifact store. */
public final class StoredReleases implements ReleaseSource {
    private final ReleaseStore releases;
    private final ArtifactStore store;
    private final ArtifactFetcher fetcher;

    public StoredReleases(ReleaseStore releases, ArtifactStore store, ArtifactFetcher fetcher) {
        this.releases = requireNonNull(releases, "releases cannot be null");
        this.store = requireNonNull(store, "store cannot be null");
        this.fetcher = requireNonNull(fetcher, "fetcher cannot be null");
    }

    @Override
    public Optional<ReleaseManifest> manifest(String service, String version) {
        return releases.get(service, version);
    }

    @Override
    public Release fetch(ReleaseManifest manifest) throws IOException, InvalidReleaseException, InterruptedException {
        List<Path> jars = new ArrayList<>();
        Map<Path, String> names = new HashMap<>();
        for (BundleRef bundle : manifest.bundles()) {
            fetcher.ensure(bundle);
            Path jar = store.path(bundle.sha256());
            jars.add(jar);
            names.put(jar, bundle.fileName());
        }
        return ReleaseReader.read(jars, names::get).withService(manifest.service());
    }
}
