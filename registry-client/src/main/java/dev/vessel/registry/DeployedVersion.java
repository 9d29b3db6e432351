package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

/**
 * One version in a deployment's desired state.
 *
 * @param version release version
 * @param weight  share of traffic, 1-100, for callers whose range admits this version and the next lower
 *                deployed one: 100 is stable; less makes it a canary that gets {@code weight} percent of them
 * @param nodes   node selector: {@code *} for every node, or a comma-separated list of node ids and
 *                {@code key=value} labels, any of which selects a node
 * @param maxConcurrency how many calls one container of this version runs at once; 0 leaves it to each node's
 *                default. As many again may wait; past that a call is refused at once ({@code 503 OVERLOADED}).
 */
public record DeployedVersion(String version, int weight, String nodes, int maxConcurrency) {
    public static final String ALL_NODES = "*";
    /** Highest {@link #maxConcurrency} a deployment may ask for. */
    public static final int MAX_CONCURRENCY_LIMIT = 10_000;

    public DeployedVersion {
        RegistryLayout.requireName(version, "version");
        if (weight < 1 || weight > 100) {
            throw new IllegalArgumentException("weight must be 1-100 percent; got " + weight);
        }
        requireNonNull(nodes, "nodes cannot be null");
        if (nodes.isBlank()) {
            throw new IllegalArgumentException("node selector cannot be blank; use * for every node");
        }
        Text.requirePrintable(nodes, "node selector", Text.MAX_SELECTOR);
        if (maxConcurrency < 0 || maxConcurrency > MAX_CONCURRENCY_LIMIT) {
            throw new IllegalArgumentException("maxConcurrency must be 1-" + MAX_CONCURRENCY_LIMIT
                    + " (0 for the node's default); got " + maxConcurrency);
        }
    }

    public DeployedVersion(String version, int weight, String nodes) {
        this(version, weight, nodes, 0);
    }

    /** Whether this version should run on {@code node}. */
    public boolean selects(NodeRecord node) {
        return NodeSelector.selects(nodes, node);
    }

    public DeployedVersion withWeight(int newWeight) {
        return new DeployedVersion(version, newWeight, nodes, maxConcurrency);
    }
}
