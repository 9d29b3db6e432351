package dev.vessel.host.internal.admin;

import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.host.internal.desired.DeploymentPlanner;
import dev.vessel.host.internal.http.JsonResponses;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.ReleaseStore;
import dev.vessel.registry.Text;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.osgi.framework.Version;

/**
 * {@code POST /v1/admin/deployments/{service}}: deploy, promote, retire, retire-older and rollback, each a
 * version-checked change of the service's desired state.
 */
final class DeploymentEndpoints {
    private final ReleaseStore releases;
    private final DeploymentStore deployments;

    DeploymentEndpoints(ReleaseStore releases, DeploymentStore deployments) {
        this.releases = releases;
        this.deployments = deployments;
    }

    void deployment(String service, Request request, Response response, Callback callback) throws Exception {
        RegistryLayout.requireName(service, "service");
        DeploymentChange body = AdminRequests.check(AdminRequests.read(request, DeploymentChange.class));
        String by = body.by() == null ? "unknown" : body.by();
        long expected = body.expectedRevision() == null ? -1 : body.expectedRevision();
        String action = body.action();
        Deployment result = switch (action) {
            case "deploy" -> {
                String version = requireVersion(body);
                if (releases.get(service, version).isEmpty()) {
                    throw new IllegalArgumentException("there is no release " + service + " " + version
                            + "; create it first (POST /v1/admin/releases)");
                }
                DeployedVersion entry = new DeployedVersion(version, body.weight() == null ? 100 : body.weight(),
                        body.nodes() == null ? DeployedVersion.ALL_NODES : body.nodes(),
                        body.maxConcurrency() == null ? 0 : body.maxConcurrency(),
                        body.cpu() == null ? 0 : body.cpu(), body.cpuLimit() == null ? 0 : body.cpuLimit());
                yield deployments.update(service, expected, d -> d.next(DeploymentPlanner.deploy(d, entry),
                        "deploy " + version + (entry.weight() < 100 ? " as canary at " + entry.weight() + "%" : "")
                                + (entry.nodes().equals("*") ? "" : " on " + entry.nodes())
                                + (entry.maxConcurrency() == 0 ? "" : " at most " + entry.maxConcurrency()
                                        + " calls at once") + cpu(entry), by));
            }
            case "promote" -> {
                String version = requireVersion(body);
                yield deployments.update(service, expected, d -> d.next(DeploymentPlanner.promote(d, version),
                        "promote " + version, by));
            }
            case "retire" -> {
                String version = requireVersion(body);
                yield deployments.update(service, expected, d -> d.next(DeploymentPlanner.retire(d, version),
                        "retire " + version, by));
            }
            case "retire-older" -> {
                String version = requireVersion(body);
                yield deployments.update(service, expected, d -> d.next(
                        DeploymentPlanner.retireOlderOfSameMajor(d, version),
                        "retire versions of " + Version.parseVersion(version).getMajor() + ".x below " + version,
                        by));
            }
            case "rollback" -> deployments.update(service, expected, d -> d.next(
                    DeploymentPlanner.rollback(d, body.toRevision()),
                    "rollback to revision " + (body.toRevision() != null ? body.toRevision() : d.revision() - 1),
                    by));
            default -> throw new IllegalArgumentException("action must be deploy, promote, retire, retire-older or"
                    + " rollback; got " + Text.quote(action));
        };
        JsonResponses.json(response, callback, 200, new AdminAnswers.DeploymentChanged<>(result));
    }

    private static String requireVersion(DeploymentChange body) {
        if (body.version() == null) {
            throw new IllegalArgumentException("version is required for " + body.action());
        }
        return Version.parseVersion(body.version()).toString();
    }


    /** How a deployment's history says what CPU it gave, when it gave any. */
    private static String cpu(DeployedVersion entry) {
        String share = entry.cpu() > 0 ? " cpu " + cores(entry.cpu()) : "";
        String limit = entry.cpuLimit() > 0 ? " cpu limit " + cores(entry.cpuLimit()) : "";
        return share.isEmpty() && limit.isEmpty() ? "" : " with" + share + (share.isEmpty() || limit.isEmpty() ? ""
                : ",") + limit;
    }

    private static String cores(double cores) {
        return java.math.BigDecimal.valueOf(cores).stripTrailingZeros().toPlainString();
    }
}
