package dev.vessel.host.internal.release;

import dev.vessel.protocol.ErrorCode;
import dev.vessel.host.InvalidReleaseException;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.host.internal.container.Container;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.registry.BundleRef;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.ConfigurationSchema;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import org.osgi.framework.Version;

/**
 * Everything a release must pass before it may go live: every jar is a bundle with a symbolic name and version,
 * at least one endpoint is declared, the bundles resolve and start in a scratch container (then discarded), and
 * bnd's baseline against the previous release of the service finds no understated version (unless forced).
 */
public final class ReleaseValidator {
    /** One uploaded jar: its digest (the store's name for it) and the name it was uploaded under. */
    public record Upload(String sha256, String fileName) {}

    /** A release that passed, with the manifest to store. */
    public record Validated(Release release, ReleaseManifest manifest) {}

    /** A dry run takes no calls. */
    private static final Bulkhead.Limits DRY_RUN_LIMITS = new Bulkhead.Limits(1, 0);

    private final ArtifactStore store;
    private final ArtifactFetcher fetcher;
    private final ReleaseStore releases;
    private final Path scratch;
    private final Container.Settings settings;
    private final ConfigurationStore configurations;

    public ReleaseValidator(ArtifactStore store, ArtifactFetcher fetcher, ReleaseStore releases, Path scratch,
            Container.Settings settings, ConfigurationStore configurations) {
        this.configurations = configurations;
        this.store = store;
        this.fetcher = fetcher;
        this.releases = releases;
        this.scratch = scratch;
        this.settings = settings;
    }

    public Validated validate(List<Upload> uploads, String serviceOverride, boolean force, String by)
            throws ReleaseRefused, InterruptedException {
        if (uploads.isEmpty()) {
            throw new ReleaseRefused(ErrorCode.INVALID_RELEASE, "a release needs at least one jar");
        }
        Map<Path, String> names = new HashMap<>();
        List<Path> jars = new ArrayList<>();
        for (Upload upload : uploads) {
            if (!store.has(upload.sha256())) {
                throw new ReleaseRefused(ErrorCode.MISSING_ARTIFACT, upload.fileName() + " (sha256 "
                        + upload.sha256() + ") was not uploaded to this node");
            }
            Path path = store.path(upload.sha256());
            names.put(path, upload.fileName());
            jars.add(path);
        }
        Release read;
        try {
            read = ReleaseReader.read(jars, names::get);
        } catch (InvalidReleaseException e) {
            throw new ReleaseRefused(ErrorCode.INVALID_RELEASE, e.getMessage());
        }
        Release release = serviceOverride == null || serviceOverride.isBlank() ? read
                : withService(read, serviceOverride);
        dryRun(release, uploads);
        List<ConfigurationSchema> schemas;
        try {
            schemas = MetatypeReader.read(release.bundles());
        } catch (IOException e) {
            throw new ReleaseRefused(ErrorCode.INVALID_RELEASE, e.getMessage());
        }
        List<String> misfits = ConfigurationCheck.problems(configurations.read(release.service()),
                release.version(), release.service() + " " + release.version(), schemas);
        if (!misfits.isEmpty() && !force) {
            throw new ReleaseRefused(ErrorCode.CONFIGURATION_REFUSED, "the current configuration of "
                    + release.service() + " does not fit this release (deploy with --force to override, or change the"
                    + " configuration first):\n" + String.join("\n", misfits));
        }
        String baseline = "";
        boolean overridden = false;
        Optional<ReleaseManifest> previous = previousRelease(release);
        if (previous.isPresent()) {
            BaselineCheck.Result result = baseline(release, previous.get());
            baseline = "baseline against " + previous.get().service() + " " + previous.get().version() + ":\n"
                    + result.report();
            if (result.mismatch() && !force) {
                throw new ReleaseRefused(ErrorCode.BASELINE_REFUSED, primaryName(release, names)
                        + " declares a version lower than its API change requires (deploy with --force to"
                        + " override)\n" + baseline);
            }
            if (result.mismatch()) {
                overridden = true;
                baseline += "\naccepted with --force";
            }
        }
        List<BundleRef> refs = new ArrayList<>();
        for (Upload upload : uploads) {
            refs.add(bundleRef(store.path(upload.sha256()), upload));
        }
        ReleaseManifest manifest = new ReleaseManifest(release.service(), release.version().toString(),
                release.primary(), refs, List.copyOf(release.endpoints()), baseline, overridden, by,
                System.currentTimeMillis(), schemas);
        Optional<ReleaseManifest> existing = releases.get(manifest.service(), manifest.version());
        if (existing.isPresent() && !existing.get().bundles().equals(manifest.bundles())) {
            throw new ReleaseRefused(ErrorCode.RELEASE_EXISTS, manifest.service() + " " + manifest.version()
                    + " already exists with other bundles; a version names one content forever: release a new version");
        }
        return new Validated(release, existing.orElse(manifest));
    }

    private static Release withService(Release release, String service) throws ReleaseRefused {
        try {
            return release.withService(service);
        } catch (IllegalArgumentException e) {
            throw new ReleaseRefused(ErrorCode.INVALID_RELEASE, "--service: " + e.getMessage());
        }
    }

    /** Resolves and starts the release in a throwaway container, then discards it. */
    private void dryRun(Release release, List<Upload> uploads) throws ReleaseRefused {
        Path dir = scratch.resolve(release.id() + "-" + System.nanoTime());
        Container trial = new Container(release.id(), dir, settings, c -> { });
        trial.start(release, 100, DRY_RUN_LIMITS);
        try {
            if (trial.state() != InstanceState.ACTIVE) {
                throw new ReleaseRefused(ErrorCode.DRY_RUN_FAILED, "dry run of "
                        + uploads.stream().map(Upload::fileName).toList() + " in a scratch container failed: "
                        + trial.error());
            }
        } finally {
            trial.drainAndStop(Duration.ZERO.plusMillis(1));
        }
    }

    /** The newest release of the service below the new version: the one the new release is an upgrade of. */
    private Optional<ReleaseManifest> previousRelease(Release release) {
        ReleaseManifest previous = null;
        for (ReleaseManifest candidate : releases.list(release.service())) {
            if (Version.parseVersion(candidate.version()).compareTo(release.version()) < 0) {
                previous = candidate;
            }
        }
        return Optional.ofNullable(previous);
    }

    private BaselineCheck.Result baseline(Release release, ReleaseManifest previous)
            throws ReleaseRefused, InterruptedException {
        BundleRef older = previous.bundles().stream().filter(b -> b.symbolicName().equals(previous.primary()))
                .findFirst().orElse(previous.bundles().get(0));
        try {
            fetcher.ensure(older);
            return BaselineCheck.compare(primaryPath(release), store.path(older.sha256()));
        } catch (IOException e) {
            throw new ReleaseRefused(ErrorCode.MISSING_ARTIFACT, "cannot baseline against " + previous.service()
                    + " " + previous.version() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new ReleaseRefused(ErrorCode.INVALID_RELEASE, "bnd could not baseline the release: " + e);
        }
    }

    private static Path primaryPath(Release release) throws IOException {
        for (Path jar : release.bundles()) {
            try (JarFile file = new JarFile(jar.toFile())) {
                String bsn = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
                if (bsn != null && bsn.split(";", 2)[0].trim().equals(release.primary())) {
                    return jar;
                }
            }
        }
        return release.bundles().get(0);
    }

    private static String primaryName(Release release, Map<Path, String> names) {
        try {
            return names.getOrDefault(primaryPath(release), release.primary());
        } catch (IOException e) {
            return release.primary();
        }
    }

    private BundleRef bundleRef(Path jar, Upload upload) throws ReleaseRefused {
        try (JarFile file = new JarFile(jar.toFile())) {
            var main = file.getManifest().getMainAttributes();
            return new BundleRef(main.getValue("Bundle-SymbolicName").split(";", 2)[0].trim(),
                    Version.parseVersion(main.getValue("Bundle-Version").trim()).toString(), upload.sha256(),
                    Files.size(jar), upload.fileName(), store.chunks(upload.sha256()));
        } catch (IOException e) {
            throw new ReleaseRefused(ErrorCode.INVALID_RELEASE, upload.fileName() + " is unreadable: " + e);
        }
    }
}
