package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import dev.vessel.registry.internal.RecordJson;
import java.io.IOException;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * The cluster's {@link TrustPolicy} at {@code {root}/trust}, changed by conditional writes (two admins changing it
 * at once: one wins, the other's change is made again on what the first wrote), and release signatures at
 * {@code {root}/signatures/{service}/{version}}.
 */
public final class TrustStore {
    private static final int ATTEMPTS = 5;

    private final RegistryConnection connection;

    public TrustStore(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    /** The policy, or {@link TrustPolicy#initial()} when none was set. */
    public TrustPolicy policy() {
        return read(new Stat()).orElse(TrustPolicy.initial());
    }

    private Optional<TrustPolicy> read(Stat stat) {
        String path = connection.layout().trust();
        try {
            return Optional.of(RecordJson.read(connection.curator().getData().storingStatIn(stat).forPath(path),
                    TrustPolicy.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RegistryException("unreadable trust policy at " + path + ": " + e.getMessage(), e);
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code change} to the current policy and writes the result if nobody wrote in between, else again.
     *
     * @throws IllegalArgumentException what {@code change} throws for a change that makes no sense
     */
    public TrustPolicy update(UnaryOperator<TrustPolicy> change) {
        String path = connection.layout().trust();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Stat stat = new Stat();
            Optional<TrustPolicy> current = read(stat);
            TrustPolicy next = change.apply(current.orElse(TrustPolicy.initial()));
            try {
                if (current.isEmpty()) {
                    connection.curator().create().creatingParentContainersIfNeeded().forPath(path,
                            RecordJson.write(next));
                } else {
                    connection.curator().setData().withVersion(stat.getVersion()).forPath(path,
                            RecordJson.write(next));
                }
                return next;
            } catch (KeeperException.NodeExistsException | KeeperException.BadVersionException raced) {
                // another change landed first: apply this one to it
            } catch (Exception e) {
                throw new RegistryException("could not write the trust policy: " + e.getMessage(), e);
            }
        }
        throw new RegistryException("the trust policy kept changing under this change; try again");
    }

    /**
     * Stores a release's signature. A version is signed once: the same signature again changes nothing, another
     * one is refused.
     */
    public void putSignature(ReleaseSignature signature) {
        String path = connection.layout().signature(signature.service(), signature.version());
        try {
            connection.curator().create().creatingParentContainersIfNeeded().forPath(path,
                    RecordJson.write(signature));
        } catch (KeeperException.NodeExistsException exists) {
            if (!signature(signature.service(), signature.version()).map(signature::equals).orElse(false)) {
                throw new IllegalArgumentException(signature.service() + " " + signature.version()
                        + " has another signature already; a version is signed once: release a new version");
            }
        } catch (Exception e) {
            throw new RegistryException("could not store the signature of " + signature.service() + " "
                    + signature.version() + ": " + e.getMessage(), e);
        }
    }

    public Optional<ReleaseSignature> signature(String service, String version) {
        String path = connection.layout().signature(service, version);
        try {
            return Optional.of(RecordJson.read(connection.curator().getData().forPath(path),
                    ReleaseSignature.class));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // unreadable: no signature a node can check
        } catch (Exception e) {
            throw new RegistryException("could not read " + path + ": " + e.getMessage(), e);
        }
    }

    /** Every stored signature of {@code service}'s versions. */
    public java.util.List<ReleaseSignature> signatures(String service) {
        String folder = ZKPaths.makePath(connection.layout().signatures(), RegistryLayout.requireName(service,
                "service"));
        java.util.List<String> versions;
        try {
            versions = connection.curator().getChildren().forPath(folder);
        } catch (KeeperException.NoNodeException e) {
            return java.util.List.of();
        } catch (Exception e) {
            throw new RegistryException("could not list " + folder + ": " + e.getMessage(), e);
        }
        java.util.List<ReleaseSignature> signatures = new java.util.ArrayList<>();
        for (String version : versions) {
            signature(service, version).ifPresent(signatures::add);
        }
        return signatures;
    }

    /** The policy's verdict on {@code manifest}, with the signature stored for it. */
    public TrustPolicy.Verdict check(ReleaseManifest manifest) {
        return policy().check(manifest, signature(manifest.service(), manifest.version()));
    }
}
