package dev.vessel.bench;

import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.router.CallResult;
import dev.vessel.router.VesselClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * Hot-deploy latency: from the deploy request (the release already uploaded and validated, as when artifacts
 * are already on the node) until the new version answers through a router that was watching all along, and
 * until every node's instance is in that router's table. Compared, in the same run, with upgrading by restarting
 * the node. Then: failed calls while a steady load runs through repeated upgrades.
 *
 * <p>Arguments: releases directory, deploys per cluster size, upgrades under load.
 */
public final class HotDeployBenchmark {
    private static final String SERVICE = "greeter";
    private static final String RANGE = "[1.0,2.0)";

    private HotDeployBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path releases = Path.of(args[0]);
        int deploys = Integer.parseInt(args[1]);
        int upgrades = Integer.parseInt(args[2]);
        System.out.printf("machine: %d cores, %s %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
        System.out.println();
        System.out.println("| nodes | measured | deploys | p50 ms | p90 ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (int nodes : new int[] {1, 3}) {
            try (BenchCluster cluster = new BenchCluster(nodes);
                    VesselClient client = VesselClient.connect(cluster.zkConnect())) {
                prepare(cluster, releases);
                hotDeploys(cluster, client, 3, nodes, false); // warm-up, not reported
                List<long[]> samples = hotDeploys(cluster, client, deploys, nodes, true);
                row(nodes, "hot deploy: new version answers via router", column(samples, 0));
                row(nodes, "hot deploy: every node's instance in the router", column(samples, 1));
                if (nodes == 1) {
                    row(nodes, "baseline: upgrade by restarting the node", restarts(cluster, client, 5));
                }
            }
        }
        System.out.println();
        try (BenchCluster cluster = new BenchCluster(3);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            prepare(cluster, releases);
            upgradesUnderLoad(cluster, client, upgrades);
        }
    }

    /** Uploads and validates both releases and deploys 1.0.0 everywhere. */
    private static void prepare(BenchCluster cluster, Path releases) throws InterruptedException {
        Rollout rollout = new Rollout(cluster.admin(), cluster.registry, (phase, c) -> { });
        for (String name : List.of("greeter-1.0.0", "greeter-1.1.0")) {
            Rollout.Result result = rollout.deploy(new Rollout.Request(List.of(releases.resolve(name + ".jar")), null,
                    100, false, DeployedVersion.ALL_NODES, false, true, false, Duration.ofSeconds(60), "bench"));
            if (!result.ok()) {
                throw new IllegalStateException(name + " did not deploy: " + result.failures());
            }
        }
        change(cluster.admin(), "retire", "1.1.0");
        awaitRouted(cluster, "1.1.0", 0);
    }

    /** Each sample: {ms until 1.1.0 answers, ms until all nodes' 1.1.0 instances are routed}. */
    private static List<long[]> hotDeploys(BenchCluster cluster, VesselClient client, int count, int nodes,
            boolean measured) throws InterruptedException {
        Semaphore changed = new Semaphore(0);
        client.onRoutesChanged(SERVICE, changed::release);
        List<long[]> samples = new ArrayList<>();
        AdminClient admin = cluster.admin();
        for (int i = 0; i < count; i++) {
            changed.drainPermits();
            long start = System.nanoTime();
            change(admin, "deploy", "1.1.0");
            awaitOn(changed, () -> routed(client, "1.1.0") > 0);
            CallResult answer = client.call(SERVICE, RANGE, "greeter", "version");
            if (!answer.version().equals("1.1.0")) {
                throw new IllegalStateException("expected 1.1.0 to answer, got " + answer.version());
            }
            long firstAnswer = System.nanoTime() - start;
            awaitOn(changed, () -> routed(client, "1.1.0") == nodes);
            long everywhere = System.nanoTime() - start;
            if (measured) {
                samples.add(new long[] {firstAnswer, everywhere});
            }
            change(admin, "retire", "1.1.0");
            awaitOn(changed, () -> routed(client, "1.1.0") == 0);
            awaitStopped(cluster, "greeter-1.1.0");
        }
        return samples;
    }

    /** Upgrading the old way: the node process restarts and comes back running the desired 1.1.0. */
    private static List<Long> restarts(BenchCluster cluster, VesselClient client, int count) throws Exception {
        change(cluster.admin(), "deploy", "1.1.0");
        change(cluster.admin(), "retire", "1.0.0");
        Semaphore changed = new Semaphore(0);
        client.onRoutesChanged(SERVICE, changed::release);
        awaitOn(changed, () -> routed(client, "1.1.0") == 1 && routed(client, "1.0.0") == 0);
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            cluster.restart(0);
            changed.drainPermits();
            awaitOn(changed, () -> routed(client, "1.1.0") == 1);
            client.call(SERVICE, RANGE, "greeter", "version");
            samples.add(System.nanoTime() - start);
        }
        return samples;
    }

    private static void upgradesUnderLoad(BenchCluster cluster, VesselClient client, int upgrades) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder calls = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder retried = new LongAdder();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try {
                        CallResult r = client.call(SERVICE, RANGE, "greeter", "version");
                        if (r.attempts() > 1) {
                            retried.increment();
                        }
                    } catch (RuntimeException e) {
                        failed.increment();
                        if (failures.size() < 5) {
                            failures.add(e.toString());
                        }
                    }
                    calls.increment();
                }
            });
            thread.start();
            threads.add(thread);
        }
        Rollout rollout = new Rollout(cluster.admin(), cluster.registry, (phase, c) -> { });
        long start = System.nanoTime();
        for (int i = 0; i < upgrades; i++) {
            // upgrade 1.0.0 -> 1.1.0 with --replace, then roll back to 1.0.0 for the next round
            Rollout.Result up = rollout.change(SERVICE, new DeploymentChange("deploy", "1.1.0", 100, "*", null, null,
                    "bench"), Duration.ofSeconds(60));
            Rollout.Result replace = rollout.change(SERVICE, new DeploymentChange("retire-older", "1.1.0", null,
                    null, null, null, "bench"), Duration.ofSeconds(60));
            Rollout.Result back = rollout.change(SERVICE, new DeploymentChange("deploy", "1.0.0", 100, "*", null,
                    null, "bench"), Duration.ofSeconds(60));
            Rollout.Result retire = rollout.change(SERVICE, new DeploymentChange("retire", "1.1.0", null, null, null,
                    null, "bench"), Duration.ofSeconds(60));
            if (!(up.ok() && replace.ok() && back.ok() && retire.ok())) {
                throw new IllegalStateException("round " + i + " did not converge");
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.println("| nodes | upgrades (1.0.0 -> 1.1.0 --replace, and back) | calls | failed calls |"
                + " calls retried on another instance | seconds |");
        System.out.println("|---|---|---|---|---|---|");
        System.out.printf("| 3 | %d | %d | %d | %d | %.1f |%n", upgrades, calls.sum(), failed.sum(), retried.sum(),
                seconds);
        failures.forEach(f -> System.out.println("failure: " + f));
    }

    private static void change(AdminClient admin, String action, String version) {
        admin.change(SERVICE, new DeploymentChange(action, version, action.equals("deploy") ? 100 : null,
                action.equals("deploy") ? "*" : null, null, null, "bench"));
    }

    private static long routed(VesselClient client, String version) {
        return client.instances(SERVICE).stream().map(InstanceRecord::version).filter(version::equals).count();
    }

    private static void awaitRouted(BenchCluster cluster, String version, int count) throws InterruptedException {
        try (VesselClient watcher = VesselClient.connect(cluster.zkConnect())) {
            Semaphore changed = new Semaphore(0);
            watcher.onRoutesChanged(SERVICE, changed::release);
            awaitOn(changed, () -> routed(watcher, version) == count);
        }
    }

    /** Containers must have finished stopping before the same version is deployed again. */
    private static void awaitStopped(BenchCluster cluster, String containerId) throws InterruptedException {
        for (VesselNode node : cluster.nodes()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (node.containers().stream().anyMatch(c -> c.id().equals(containerId) && !c.state().isTerminal())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(containerId + " did not stop on " + node.nodeId());
                }
                Thread.sleep(5); // harness only: lets the retired container finish its drain before the next round
            }
        }
    }

    private static void awaitOn(Semaphore changed, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for the routing table");
            }
            changed.tryAcquire(100, TimeUnit.MILLISECONDS);
        }
    }

    private static List<Long> column(List<long[]> samples, int index) {
        List<Long> values = new ArrayList<>();
        samples.forEach(s -> values.add(s[index]));
        return values;
    }

    private static void row(int nodes, String what, List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        System.out.printf("| %d | %s | %d | %.0f | %.0f | %.0f | %.0f |%n", nodes, what, sorted.size(),
                percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99), sorted.get(sorted.size() - 1)
                        / 1e6);
    }

    private static double percentile(List<Long> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }
}
