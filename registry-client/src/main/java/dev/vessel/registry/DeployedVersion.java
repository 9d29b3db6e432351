package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 * @param cpu     the CPU share of one container of this version, in cores: its weight against the node's other
 *                containers when the cores are all busy; 0 (not given) weighs it as 1, like every container
 * @param cpuLimit the cores one container of this version may use at most whatever its neighbours do; 0 (not
 *                given) leaves it the node's cores less the node's reserve
 */
public record DeployedVersion(String version, int weight, String nodes, int maxConcurrency,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) double cpu,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) double cpuLimit) {
    public static final String ALL_NODES = "*";
    /** Highest {@link #maxConcurrency} a deployment may ask for. */
    public static final int MAX_CONCURRENCY_LIMIT = 10_000;
    /** Most cores a {@link #cpu} share or {@link #cpuLimit} may name. */
    public static final double MAX_CORES = 1024;

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
        requireCpu(cpu, cpuLimit);
    }

    /**
     * Checks a CPU share and limit as a deployment may give them: each 0 (not given) or 0.01 to {@link #MAX_CORES}
     * cores, the share no more than the limit.
     *
     * @throws IllegalArgumentException saying which is wrong
     */
    public static void requireCpu(double cpu, double cpuLimit) {
        requireCores(cpu, "cpu");
        requireCores(cpuLimit, "cpuLimit");
        if (cpu > 0 && cpuLimit > 0 && cpu > cpuLimit) {
            throw new IllegalArgumentException("cpu (" + cpu + " cores) cannot be more than cpuLimit (" + cpuLimit
                    + " cores)");
        }
    }

    private static void requireCores(double cores, String what) {
        if (!(cores == 0 || (cores >= 0.01 && cores <= MAX_CORES))) {
            throw new IllegalArgumentException(what + " must be 0.01-" + (int) MAX_CORES
                    + " cores (0 when not given); got " + cores);
        }
    }

    public DeployedVersion(String version, int weight, String nodes, int maxConcurrency) {
        this(version, weight, nodes, maxConcurrency, 0, 0);
    }

    public DeployedVersion(String version, int weight, String nodes) {
        this(version, weight, nodes, 0);
    }

    /** Whether this version should run on {@code node}. */
    public boolean selects(NodeRecord node) {
        return NodeSelector.selects(nodes, node);
    }

    public DeployedVersion withWeight(int newWeight) {
        return new DeployedVersion(version, newWeight, nodes, maxConcurrency, cpu, cpuLimit);
    }
}
