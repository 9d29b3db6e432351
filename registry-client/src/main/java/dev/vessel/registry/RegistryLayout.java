package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;
import org.apache.curator.utils.ZKPaths;

/**
 * Where each kind of record lives under the configurable root (default {@value #DEFAULT_ROOT}).
 *
 * <pre>
 * {root}/services/{service}/{instanceId}   ephemeral, Curator x-discovery ServiceInstance JSON
 * {root}/nodes/{nodeId}                    ephemeral, {@link NodeRecord}
 * {root}/status/{nodeId}                   ephemeral, {@link NodeStatus}
 * {root}/releases/{service}/{version}      persistent, {@link ReleaseManifest}
 * {root}/deployments/{service}             persistent, {@link Deployment} (version-checked writes)
 * {root}/artifacts/{sha256}/{nodeId}       ephemeral, which nodes hold which artifact
 * </pre>
 */
public final class RegistryLayout {
    public static final String DEFAULT_ROOT = "/vessel";

    private final String root;

    private RegistryLayout(String root) {
        this.root = root;
    }

    public static RegistryLayout defaultLayout() {
        return at(DEFAULT_ROOT);
    }

    /** @param root an absolute ZooKeeper path such as {@code /vessel} or {@code /teams/a/vessel} */
    public static RegistryLayout at(String root) {
        requireNonNull(root, "root cannot be null");
        if (!root.startsWith("/") || root.length() < 2 || root.endsWith("/")) {
            throw new IllegalArgumentException(
                    "registry root must be an absolute ZooKeeper path without a trailing slash, e.g. /vessel; got '"
                            + root + "'");
        }
        org.apache.zookeeper.common.PathUtils.validatePath(root);
        return new RegistryLayout(root);
    }

    public String root() {
        return root;
    }

    /** Parent of all service groups; Curator x-discovery's base path. */
    public String services() {
        return ZKPaths.makePath(root, "services");
    }

    public String nodes() {
        return ZKPaths.makePath(root, "nodes");
    }

    public String node(String nodeId) {
        return ZKPaths.makePath(nodes(), requireName(nodeId, "nodeId"));
    }

    public String statuses() {
        return ZKPaths.makePath(root, "status");
    }

    public String status(String nodeId) {
        return ZKPaths.makePath(statuses(), requireName(nodeId, "nodeId"));
    }

    public String releases() {
        return ZKPaths.makePath(root, "releases");
    }

    public String releases(String service) {
        return ZKPaths.makePath(releases(), requireName(service, "service"));
    }

    public String release(String service, String version) {
        return ZKPaths.makePath(releases(service), requireName(version, "version"));
    }

    public String deployments() {
        return ZKPaths.makePath(root, "deployments");
    }

    public String deployment(String service) {
        return ZKPaths.makePath(deployments(), requireName(service, "service"));
    }

    /** Rollouts that follow a rule, one record per service: the one running, else the last one. */
    public String rollouts() {
        return ZKPaths.makePath(root, "rollouts");
    }

    public String rollout(String service) {
        return ZKPaths.makePath(rollouts(), requireName(service, "service"));
    }

    /** The latch of the nodes' rollout drivers: whoever holds it drives every service's rollout. */
    public String rolloutDriver() {
        return ZKPaths.makePath(root, "rollout-driver");
    }

    /** Rollout rule revisions, one folder per service: {@code {root}/rules/{service}/rev-NNNNNNNNNN}. */
    public String rules() {
        return ZKPaths.makePath(root, "rules");
    }

    public String rule(String service) {
        return ZKPaths.makePath(rules(), requireName(service, "service"));
    }

    public String ruleRevision(String service, long revision) {
        return ZKPaths.makePath(rule(service), String.format(java.util.Locale.ROOT, "rev-%010d", revision));
    }

    /** Configuration revisions, one folder per service: {@code {root}/configurations/{service}/rev-NNNNNNNNNN}. */
    public String configurations() {
        return ZKPaths.makePath(root, "configurations");
    }

    public String configuration(String service) {
        return ZKPaths.makePath(configurations(), requireName(service, "service"));
    }

    public String configurationRevision(String service, long revision) {
        return ZKPaths.makePath(configuration(service), String.format(java.util.Locale.ROOT, "rev-%010d", revision));
    }

    /** The cluster's trust policy for release signers. */
    public String trust() {
        return ZKPaths.makePath(root, "trust");
    }

    /** Release signatures, one per version: {@code {root}/signatures/{service}/{version}}. */
    public String signatures() {
        return ZKPaths.makePath(root, "signatures");
    }

    public String signature(String service, String version) {
        return ZKPaths.makePath(ZKPaths.makePath(signatures(), requireName(service, "service")),
                requireName(version, "version"));
    }

    /** Scoped access tokens, one znode per token holding its verifier: {@code {root}/tokens/{id}}. */
    public String tokens() {
        return ZKPaths.makePath(root, "tokens");
    }

    public String token(String id) {
        return ZKPaths.makePath(tokens(), requireName(id, "token id"));
    }

    public String artifacts() {
        return ZKPaths.makePath(root, "artifacts");
    }

    public String artifact(String sha256) {
        return ZKPaths.makePath(artifacts(), requireSha256(sha256));
    }

    public String artifactHolder(String sha256, String nodeId) {
        return ZKPaths.makePath(artifact(sha256), requireName(nodeId, "nodeId"));
    }

    /** A lower-case hex SHA-256 digest: 64 characters of 0-9 and a-f. */
    public static String requireSha256(String sha256) {
        requireNonNull(sha256, "sha256 cannot be null");
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 digest (64 lower-case hex characters): " + Text.quote(sha256));
        }
        return sha256;
    }

    /** Compiled once: String.matches compiles per call, and names are checked for every instance on every change. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /**
     * Names used as a single path segment (service names, node ids, instance ids): letters, digits and
     * {@code . _ -}, so they never form a path or clash with ZooKeeper's reserved names.
     */
    public static String requireName(String name, String what) {
        requireNonNull(name, what + " cannot be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must be 1-128 characters of letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit; got " + Text.quote(name));
        }
        return name;
    }

    @Override
    public String toString() {
        return "RegistryLayout[" + root + "]";
    }
}
