package dev.vessel.host.internal.node;

import dev.vessel.host.internal.cpu.CpuIsolation;
import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.artifact.ArtifactFetcher;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.reconcile.Reconciler;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryException;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's presence in the registry: its record in {@code /vessel/nodes} and, in {@code /vessel/status}, what
 * each of its containers is doing, which artifacts it is fetching and which services it is behind on. Any number
 * of {@link #request}s while one is queued cost one write; nothing is written before {@link #publish}.
 */
public final class StatusPublisher implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusPublisher.class);

    private final String nodeId;
    private final Executor executor;
    private final Object lock = new Object();
    private final AtomicBoolean queued = new AtomicBoolean();
    private NodePresence presence;
    private ContainerTable containers;
    private ArtifactFetcher fetcher;
    private Reconciler reconciler;

    /** @param executor where status is written from: a single thread, so writes never race each other */
    public StatusPublisher(String nodeId, Executor executor) {
        this.nodeId = requireNonNull(nodeId, "nodeId cannot be null");
        this.executor = requireNonNull(executor, "executor cannot be null");
    }

    /**
     * Publishes the node's record now (waiting up to the connection's timeout for a stale one of an earlier
     * session to go) and its status from now on.
     */
    public void publish(RegistryConnection registry, NodeRecord self, ContainerTable containers,
            ArtifactFetcher fetcher, Reconciler reconciler) {
        synchronized (lock) {
            this.containers = containers;
            this.fetcher = fetcher;
            this.reconciler = reconciler;
            presence = NodePresence.publish(registry, self, RegistryConnection.DEFAULT_CONNECT_TIMEOUT.toMillis());
        }
        request();
    }

    /** Publishes the node's status soon, once for any number of requests meanwhile; never blocks the caller. */
    public void request() {
        if (queued.compareAndSet(false, true)) {
            try {
                executor.execute(this::write);
            } catch (RuntimeException closing) {
                queued.set(false);
            }
        }
    }

    private void write() {
        queued.set(false);
        synchronized (lock) {
            if (presence == null) {
                return;
            }
            try {
                List<NodeStatus.FetchProgress> fetches = new ArrayList<>();
                fetcher.active().forEach((sha, p) -> fetches.add(new NodeStatus.FetchProgress(sha, p.have(),
                        p.chunks())));
                CpuIsolation cpu = containers.cpu();
                presence.update(new NodeStatus(nodeId, containers.statuses(), System.currentTimeMillis(), fetches,
                        reconciler.behind(), new NodeStatus.CpuIsolation(cpu.mechanism(), cpu.reason(),
                                cpu.capacity())));
            } catch (RegistryException e) {
                LOG.warn("could not publish status of node {}: {}", nodeId, e.getMessage());
            }
        }
    }

    /** Removes the node's record and status; nothing is published after. */
    @Override
    public void close() {
        synchronized (lock) {
            if (presence != null) {
                presence.close();
                presence = null;
            }
        }
    }
}
