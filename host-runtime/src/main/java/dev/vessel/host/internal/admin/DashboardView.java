package dev.vessel.host.internal.admin;

import dev.vessel.host.QuorumStatus;
import dev.vessel.host.internal.http.NodeLoad;
import dev.vessel.protocol.admin.LatencyBuckets;
import dev.vessel.registry.RolloutRecord;
import dev.vessel.registry.ClusterOverview;
import dev.vessel.registry.Convergence;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.osgi.framework.Version;

/**
 * Everything the dashboard shows, read at one moment: the nodes with their containers, fetches and load; every
 * service's desired state, how far the cluster is from it, its history and each version's live share of calls,
 * error rate and p99; each service's rollout under a rule (running, else its last); the quorum. Built by {@link DashboardEndpoint} at most once per {@link DashboardEndpoint#FRESH_FOR}.
 *
 * @param quorumError why the quorum could not be read, null when it could
 */
record DashboardView(String node, long time, String zk, List<ClusterOverview.Node> nodes,
        Map<String, PeerLoads.Reading> load,
        List<ServiceView> services, List<RolloutRecord> rollouts, QuorumStatus quorum, String quorumError) {

    /**
     * @param deployment  its desired state and history; null for a service that runs without one (every version
     *                    retired, or written around the admin API)
     * @param settled     every desired version runs, registered with its weight, wherever it should
     * @param pending     what is not there yet: "node: version STATE" per desired version and node
     * @param versions    every version the desired state names or a node still runs (starting, serving or
     *                    draining), newest first
     */
    record ServiceView(String service, Deployment deployment, boolean settled, List<String> pending,
            List<String> failures, List<String> unwanted, List<VersionView> versions) {}

    /**
     * @param weight   its desired weight; 0 when the desired state no longer names it
     * @param callRate calls per second all nodes' containers of it completed over their last load tick
     * @param share    its part of the service's calls, 0-1; null while the service has none
     * @param errorRate its calls that failed over the last {@link NodeLoad#RECENT_SECONDS} s on every node, 0-1;
     *                  null without calls (also for p99Ms)
     * @param p99Ms    the 99th percentile of their latency, in milliseconds
     * @param signer   the id of the key that signed it (with "(revoked)" or "(not trusted)" when so), or null
     */
    record VersionView(String version, int weight, String nodes, double callRate, Double share, Double errorRate,
            Double p99Ms, String signer) {}

    static DashboardView of(String node, String zk, List<NodeRecord> nodeRecords, Map<String, NodeStatus> statuses,
            List<InstanceRecord> instances, Map<String, Deployment> deployments, Map<String, String> signers,
            Map<String, PeerLoads.Reading> loads,
            List<RolloutRecord> rollouts, QuorumStatus quorum, String quorumError) {
        ClusterOverview overview = ClusterOverview.of(zk, nodeRecords, statuses, instances);

        Map<String, Map<String, Double>> rates = new TreeMap<>();
        Map<String, TreeSet<Version>> running = new TreeMap<>();
        for (ClusterOverview.Node n : overview.nodes()) {
            for (ClusterOverview.Container c : n.containers()) {
                if (c.state().equals(InstanceState.STOPPED.name()) || c.state().equals(InstanceState.FAILED.name())) {
                    continue; // shown while desired; a node lists every container it ran since it started
                }
                running.computeIfAbsent(c.service(), s -> new TreeSet<>()).add(
                        Version.parseVersion(c.version()));
            }
        }
        Map<String, long[]> recent = new TreeMap<>(); // "service version" -> calls, failures, latency buckets
        for (PeerLoads.Reading reading : loads.values()) {
            if (reading.load() != null) {
                for (var c : reading.load().containers()) {
                    rates.computeIfAbsent(c.service(), s -> new TreeMap<>()).merge(c.version(), c.callRate(),
                            Double::sum);
                    long[] sum = recent.computeIfAbsent(c.service() + " " + c.version(),
                            k -> new long[2 + LatencyBuckets.COUNT]);
                    sum[0] += c.recentCalls();
                    sum[1] += c.recentFailures();
                    if (c.recentLatency() != null) {
                        c.recentLatency().forEach((bucket, count) -> {
                            if (bucket >= 0 && bucket < LatencyBuckets.COUNT) {
                                sum[2 + bucket] += count;
                            }
                        });
                    }
                }
            }
        }
        TreeSet<String> names = new TreeSet<>(deployments.keySet());
        names.addAll(running.keySet());
        Map<String, List<InstanceRecord>> registered = instances.stream()
                .collect(Collectors.groupingBy(InstanceRecord::service));
        List<ServiceView> services = new ArrayList<>();
        for (String service : names) {
            Deployment deployment = deployments.get(service);
            TreeSet<Version> versions = new TreeSet<>(running.getOrDefault(service, new TreeSet<>()));
            if (deployment != null) {
                deployment.versions().forEach(v -> versions.add(Version.parseVersion(v.version())));
            }
            Map<String, Double> serviceRates = rates.getOrDefault(service, Map.of());
            double total = serviceRates.values().stream().mapToDouble(Double::doubleValue).sum();
            List<VersionView> versionViews = new ArrayList<>();
            for (Version v : versions.descendingSet()) {
                String version = v.toString();
                var desired = deployment == null ? Optional.<DeployedVersion>empty()
                        : deployment.version(version);
                double rate = serviceRates.getOrDefault(version, 0.0);
                long[] calls = recent.getOrDefault(service + " " + version, new long[2 + LatencyBuckets.COUNT]);
                List<Long> latency = new ArrayList<>();
                for (int i = 0; i < LatencyBuckets.COUNT; i++) {
                    latency.add(calls[2 + i]);
                }
                double p99 = LatencyBuckets.quantileMillis(latency, 0.99);
                versionViews.add(new VersionView(version, desired.map(d -> d.weight()).orElse(0),
                        desired.map(d -> d.nodes()).orElse(""), Math.round(rate * 100) / 100.0,
                        total > 0 ? Math.round(rate / total * 1000) / 1000.0 : null,
                        calls[0] == 0 ? null : Math.round((double) calls[1] / calls[0] * 10_000) / 10_000.0,
                        Double.isNaN(p99) ? null : Math.round(p99 * 100) / 100.0,
                        signers.get(service + " " + version)));
            }
            if (deployment == null) {
                services.add(new ServiceView(service, null, false, List.of(), List.of(), List.of(), versionViews));
                continue;
            }
            Convergence convergence = Convergence.of(deployment, nodeRecords, statuses,
                    registered.getOrDefault(service, List.of()));
            List<String> pending = convergence.nodes().stream().filter(p -> !p.done())
                    .map(p -> p.node() + ": " + p.version() + " " + p.state()
                            + (InstanceState.ACTIVE.name().equals(p.state()) ? " (registering)" : ""))
                    .toList();
            services.add(new ServiceView(service, deployment, convergence.converged(), pending,
                    convergence.failures(), convergence.unwanted(), versionViews));
        }
        return new DashboardView(node, System.currentTimeMillis(), zk, overview.nodes(), loads, services, rollouts,
                quorum, quorumError);
    }
}
