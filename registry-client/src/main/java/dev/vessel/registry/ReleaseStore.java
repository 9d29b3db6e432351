package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import dev.vessel.registry.internal.ZkChildren;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.zookeeper.KeeperException;
import org.osgi.framework.Version;

/** The release manifests under {@code {root}/releases}: written once, read by every node and the CLI. */
public final class ReleaseStore {
    private final RegistryConnection connection;

    public ReleaseStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    /**
     * Stores a new release. Storing the same bundles again is a no-op; different bundles under an existing
     * service and version are refused, because a version names one content forever.
     *
     * @return true if it was created, false if the identical release already existed
     * @throws RegistryException if the version exists with other content
     */
    public boolean create(ReleaseManifest manifest) {
        String path = connection.layout().release(manifest.service(), manifest.version());
        try {
            connection.curator().create().creatingParentContainersIfNeeded().forPath(path, RecordJson.write(manifest));
            return true;
        } catch (KeeperException.NodeExistsException exists) {
            ReleaseManifest existing = get(manifest.service(), manifest.version()).orElseThrow();
            if (existing.bundles().equals(manifest.bundles())) {
                return false;
            }
            throw new RegistryException(manifest.service() + " " + manifest.version() + " already exists with other"
                    + " bundles; a version names one content forever: release a new version");
        } catch (Exception e) {
            throw new RegistryException("could not store release " + manifest.service() + " " + manifest.version()
                    + ": " + e.getMessage(), e);
        }
    }

    public Optional<ReleaseManifest> get(String service, String version) {
        String path = connection.layout().release(service, version);
        try {
            return Optional.of(RecordJson.read(connection.curator().getData().forPath(path), ReleaseManifest.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RegistryException("unreadable release at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** The releases of {@code service}, lowest version first. */
    public List<ReleaseManifest> list(String service) {
        List<ReleaseManifest> releases = new ArrayList<>();
        for (String version : children(connection.layout().releases(service))) {
            get(service, version).ifPresent(releases::add);
        }
        releases.sort(Comparator.comparing(r -> Version.parseVersion(r.version())));
        return releases;
    }

    /** Services with at least one release, by name. */
    public List<String> services() {
        return children(connection.layout().releases());
    }

    private List<String> children(String path) {
        try {
            return ZkChildren.sorted(connection.curator(), path);
        } catch (Exception e) {
            throw new RegistryException("could not list " + path + ": " + e.getMessage(), e);
        }
    }
}
