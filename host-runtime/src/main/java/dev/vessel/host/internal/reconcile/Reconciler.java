package dev.vessel.host.internal.reconcile;

import dev.vessel.host.ContainerInfo;
import dev.vessel.host.InvalidReleaseException;
import dev.vessel.host.Release;
import dev.vessel.host.ReleaseReader;
import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.artifact.ArtifactStore;
import dev.vessel.registry.BundleRef;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.ReleaseStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node run what the desired state says it should: starts the versions selected for it (fetching
 * their artifacts from peers when the local store lacks them), stops the ones no longer wanted, and keeps
 * instance weights in step. One thread, one pass at a time; a change that arrives during a pass triggers
 * another pass with the newest state, never a queue of stale ones.
 */
public final class Reconciler implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** What the reconciler needs from its node. */
    public interface Node {
        NodeRecord self();

        List<ContainerInfo> containers();

        ContainerInfo deploy(Release release, int weight);

        void stop(String service, String version);

        void setWeight(String service, String version, int weight);
    }

    private final Node node;
    private final ReleaseStore releases;
    private final ArtifactStore store;
    private final ArtifactFetcher fetcher;
    private final ExecutorService worker;
    private final AtomicReference<Map<String, Deployment>> latest = new AtomicReference<>();
    /** Containers this reconciler started: the only ones it ever stops. */
    private final Set<String> managed = ConcurrentHashMap.newKeySet();
    /** For FAILED containers: the deployment revision they failed at, so a failure is retried only on change. */
    private final Map<String, Long> failedAt = new ConcurrentHashMap<>();

    public Reconciler(Node node, ReleaseStore releases, ArtifactStore store, ArtifactFetcher fetcher) {
        this.node = node;
        this.releases = releases;
        this.store = store;
        this.fetcher = fetcher;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "vessel-reconciler-" + node.self().id());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Called with the complete desired state after every change. */
    public void desired(Map<String, Deployment> deployments) {
        if (latest.getAndSet(Map.copyOf(deployments)) == null) {
            worker.execute(this::pass);
        }
    }

    private void pass() {
        Map<String, Deployment> deployments = latest.getAndSet(null);
        if (deployments == null) {
            return;
        }
        for (Deployment deployment : deployments.values()) {
            try {
                reconcile(deployment);
            } catch (RuntimeException e) {
                LOG.warn("reconciling {} failed; the next change retries", deployment.service(), e);
            }
        }
    }

    private void reconcile(Deployment deployment) {
        String service = deployment.service();
        NodeRecord self = node.self();
        Map<String, DeployedVersion> wanted = new HashMap<>();
        for (DeployedVersion version : deployment.versions()) {
            if (version.selects(self)) {
                wanted.put(service + "-" + version.version(), version);
            }
        }
        Map<String, ContainerInfo> running = new HashMap<>();
        for (ContainerInfo info : node.containers()) {
            if (info.service().equals(service)) {
                running.put(info.id(), info);
            }
        }
        // start first, stop after: a replacement serves before what it replaces goes
        for (Map.Entry<String, DeployedVersion> entry : wanted.entrySet()) {
            ContainerInfo info = running.get(entry.getKey());
            DeployedVersion version = entry.getValue();
            if (info == null || info.state() == InstanceState.STOPPED
                    || (info.state() == InstanceState.FAILED && failedAt.getOrDefault(info.id(), -1L) < deployment.revision())) {
                start(deployment, version);
            } else if (info.state() == InstanceState.ACTIVE) {
                node.setWeight(service, version.version(), version.weight());
            }
        }
        for (ContainerInfo info : running.values()) {
            if (!wanted.containsKey(info.id()) && managed.contains(info.id()) && !info.state().isTerminal()) {
                LOG.info("node {}: retiring {}", self.id(), info.id());
                node.stop(service, info.version());
                managed.remove(info.id());
            }
        }
    }

    private void start(Deployment deployment, DeployedVersion version) {
        String id = deployment.service() + "-" + version.version();
        Optional<ReleaseManifest> manifest = releases.get(deployment.service(), version.version());
        if (manifest.isEmpty()) {
            LOG.warn("deployment of {} names {} but no such release exists", deployment.service(), version.version());
            return;
        }
        try {
            List<Path> jars = new ArrayList<>();
            Map<Path, String> names = new HashMap<>();
            for (BundleRef bundle : manifest.get().bundles()) {
                fetcher.ensure(bundle);
                jars.add(store.path(bundle.sha256()));
                names.put(store.path(bundle.sha256()), bundle.fileName());
            }
            Release release = ReleaseReader.read(jars, names::get).withService(manifest.get().service());
            managed.add(id);
            ContainerInfo info = node.deploy(release, version.weight());
            if (info.state() == InstanceState.FAILED) {
                failedAt.put(id, deployment.revision());
            } else {
                failedAt.remove(id);
            }
        } catch (IOException | InvalidReleaseException | IllegalStateException e) {
            LOG.warn("node {} cannot start {}: {}", node.self().id(), id, e.getMessage());
            failedAt.put(id, deployment.revision());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
