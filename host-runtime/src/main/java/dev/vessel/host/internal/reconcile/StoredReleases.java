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
import dev.vessel.registry.TrustPolicy;
import dev.vessel.registry.TrustStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases as the registry records them, their bundles fetched into the node's artifact store once the cluster's
 * signature policy accepts them.
 */
public final class StoredReleases implements ReleaseSource {
    private static final Logger LOG = LoggerFactory.getLogger(StoredReleases.class);
    private final ReleaseStore releases;
    private final TrustStore trust;
    private final ArtifactStore store;
    private final ArtifactFetcher fetcher;

    public StoredReleases(ReleaseStore releases, TrustStore trust, ArtifactStore store, ArtifactFetcher fetcher) {
        this.releases = requireNonNull(releases, "releases cannot be null");
        this.trust = requireNonNull(trust, "trust cannot be null");
        this.store = requireNonNull(store, "store cannot be null");
        this.fetcher = requireNonNull(fetcher, "fetcher cannot be null");
    }

    @Override
    public Optional<ReleaseManifest> manifest(String service, String version) {
        return releases.get(service, version);
    }

    @Override
    public Release fetch(ReleaseManifest manifest) throws IOException, InvalidReleaseException, InterruptedException {
        // checked here too, not only when the release was stored: a record written around the admin API (by anyone
        // with the nodes' registry identity) must not run unsigned where signatures are required
        TrustPolicy.Verdict verdict = trust.check(manifest);
        if (verdict.refused()) {
            throw new InvalidReleaseException("refused by the cluster's signature policy (require): "
                    + verdict.problem());
        }
        if (verdict.problem() != null && verdict.mode() == TrustPolicy.Mode.WARN) {
            LOG.warn("{} (the signature policy of {} is warn: it starts anyway)", verdict.problem(),
                    manifest.service());
        }
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
