package dev.vessel.host.internal.admin;

import dev.vessel.host.internal.artifact.ArtifactDistribution;
import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.host.internal.metrics.NodeMetrics;
import dev.vessel.host.internal.rollout.RolloutControl;
import dev.vessel.host.internal.quorum.QuorumMembership;
import dev.vessel.host.internal.release.ReleaseValidator;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.RuleStore;
import dev.vessel.registry.TokenStore;
import dev.vessel.registry.TrustStore;
import java.io.Closeable;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.server.Request;

/**
 * Everything behind {@code /v1/admin/}: the handler with its endpoints, the release validator it checks uploads
 * with, the dashboard, and the two bulkheads admin work runs on (artifact reads apart, so that peers fetching
 * cannot starve uploads and deploys, nor the other way round). Built complete before the node serves.
 */
public final class AdminApi implements Closeable {
    private static final Bulkhead.Limits ADMIN_LIMITS = new Bulkhead.Limits(8, 32);
    private static final Bulkhead.Limits ARTIFACT_READ_LIMITS = new Bulkhead.Limits(8, 64);

    /**
     * @param token   the cluster's admin token; null for an open cluster (every request allowed)
     * @param grants  what peers present to read artifacts; null when there is no token
     * @param scratch where the release validator resolves candidate releases
     */
    public record Settings(String nodeId, String token, ArtifactGrant grants, Path scratch, SSLContext peerTls) {}

    private final AdminHandler handler;
    private final DashboardEndpoint dashboard;
    private final ScopedTokens scopedTokens;
    private final Bulkhead work;
    private final Bulkhead artifactReads;

    public AdminApi(Settings settings, RegistryConnection registry, ClusterView cluster, ContainerTable containers,
            ArtifactDistribution artifacts, ReleaseStore releases, ConfigurationStore configurations,
            QuorumMembership quorum, NodeMetrics metrics, ThreadGroup threads) {
        ReleaseValidator validator = new ReleaseValidator(artifacts.store(), artifacts.fetcher(), releases,
                settings.scratch(), containers.settings().unregistered(), configurations);
        this.scopedTokens = new ScopedTokens(registry);
        this.dashboard = new DashboardEndpoint(cluster, () -> NodeLoad.of(containers), settings.peerTls(),
                new TrustStore(registry));
        this.handler = new AdminHandler(settings.token(), settings.grants(), artifacts, validator, releases,
                new DeploymentStore(registry), configurations, new RuleStore(registry), cluster, dashboard,
                new QuorumRecoveryEndpoint(settings.nodeId(), quorum),
                new RolloutEndpoints(new RolloutControl(registry, metrics), containers), scopedTokens,
                new TokenStore(registry), new TrustStore(registry));
        this.work = new Bulkhead(threads, "vessel-admin-" + settings.nodeId(), ADMIN_LIMITS);
        this.artifactReads = new Bulkhead(threads, "vessel-artifacts-" + settings.nodeId(), ARTIFACT_READ_LIMITS);
    }

    public AdminHandler handler() {
        return handler;
    }

    /** Where uploads, releases, deployments and the reads run. */
    public Bulkhead work() {
        return work;
    }

    /** Where artifact reads (peers fetching, {@code GET /v1/admin/artifacts/...}) run. */
    public Bulkhead artifactReads() {
        return artifactReads;
    }

    @Override
    public void close() {
        try {
            artifactReads.shutdown();
            work.shutdown();
        } finally {
            try {
                dashboard.close();
            } finally {
                scopedTokens.close();
            }
        }
    }
}
