package dev.vessel.bench.faults;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.AdminException;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.router.VesselClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.data.Stat;

/**
 * Every ZooKeeper server of a real 3-server ensemble killed with SIGKILL for a given time, then started again on
 * its data, while two node processes serve greeter and the public {@code VesselClient} calls it from 4 threads (2
 * plain, 2 idempotent). Measured: failed calls, from the kill until 40 s after the ensemble is reachable again
 * (past the client's 30 s registry grace); what a deployment change gets while the ensemble is away, and how fast;
 * how long after the ensemble is reachable every instance and node record is owned by a live session again (not by
 * a session from before the outage, which the servers restore from their logs); that a change works once it is back.
 * With {@code restart}, node-2 is also stopped (SIGTERM) while the ensemble is away and started again at once: it
 * waits for its registry (answering 503 meanwhile), and its container counts among those to register again.
 */
final class RegistryOutageBenchmark {
    private RegistryOutageBenchmark() {}

    /**
     * @param routers clients, each with a session of its own, all reconnecting at once when the ensemble is back;
     *                with more than one, each calls from 2 threads (one plain, one idempotent), pausing 100 ms
     *                after each call
     */
    static void run(Path dir, Path releases, int outageSeconds, int runs, boolean restart, int routers)
            throws Exception {
        if (routers > 1) {
            System.out.println(routers + " clients with a session each, 2 calling threads each, a call every 100 ms");
        }
        if (restart) {
            System.out.println("node-2 stopped (SIGTERM) and started again while the ensemble is away");
        }
        System.out.println("| run | outage s | calls | failed plain | failed idempotent | change while away | started ->"
                + " reachable ms | reachable -> all registered ms | change after |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        long totalFailed = 0;
        for (int run = 1; run <= runs; run++) {
            Path runDir = Files.createDirectories(dir.resolve("outage-" + run));
            try (ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(runDir);
                    FaultBenchmark.Nodes nodes = new FaultBenchmark.Nodes(runDir, ensemble.connectString())) {
                URI first = nodes.start("node-1");
                nodes.start("node-2");
                AdminClient admin = new AdminClient(first, FaultBenchmark.TOKEN, null, Duration.ofSeconds(30));
                FaultBenchmark.deploy(admin, releases.resolve("greeter-1.0.0.jar"), 0);
                List<VesselClient> clients = new java.util.ArrayList<>();
                try {
                    for (int r = 0; r < routers; r++) {
                        clients.add(VesselClient.connect(ensemble.connectString()));
                    }
                    for (VesselClient client : clients) {
                        FaultBenchmark.awaitInstances(client, "greeter", 2);
                    }
                    // many clients: each calls every 100 ms from 2 threads (20 calls a second each), as routers in
                    // many services do; two nodes on 2 cores cannot answer 100 threads calling back to back in time
                    MixedLoad load = routers == 1 ? new MixedLoad(clients.get(0))
                            : new MixedLoad(clients, 2, 100);
                    Thread.sleep(2_000); // steady load first
                    Set<Long> before = owners(ensemble.connectString());

                    for (int i = 0; i < 3; i++) {
                        ensemble.kill(i);
                    }
                    long killed = System.nanoTime();
                    String away = changeWeight(admin, 90);
                    Process restarted = null;
                    if (restart) {
                        nodes.stop("node-2"); // SIGTERM: it drains (answering 503, retry elsewhere) and exits
                        restarted = nodes.launch("node-2");
                    }
                    long untilBack = killed + TimeUnit.SECONDS.toNanos(outageSeconds) - System.nanoTime();
                    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(untilBack))); // the outage itself
                    long started = System.nanoTime();
                    for (int i = 0; i < 3; i++) {
                        ensemble.start(i);
                    }
                    ensemble.awaitLeader(-1);
                    long reachable;
                    long registered;
                    try (RegistryConnection observer = RegistryConnection.connect(ensemble.connectString())) {
                        reachable = System.nanoTime();
                        if (restarted != null) {
                            dev.vessel.bench.NodeProcess.awaitReady(restarted, runDir.resolve("node-2.log"));
                        }
                        awaitOwnedByLiveSessions(observer, before);
                        registered = System.nanoTime();
                    }
                    String after = changeWeight(admin, 100);
                    long end = reachable + TimeUnit.SECONDS.toNanos(40);
                    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))); // past the grace
                    load.stop();
                    totalFailed += load.failed();
                    System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %s | %d | %d | %s |%n", run,
                            outageSeconds, load.calls.sum(), load.failedPlain.sum(), load.failedIdempotent.sum(), away,
                            (reachable - started) / 1_000_000, (registered - reachable) / 1_000_000, after);
                    if (load.firstFailure.get() != null) {
                        System.out.println("first failure: " + load.firstFailure.get());
                    }
                } finally {
                    clients.forEach(VesselClient::close);
                }
            }
        }
        System.out.println("failed calls in all runs: " + totalFailed);
    }

    /** A weight change through the admin API: how it was answered and in how many ms. */
    private static String changeWeight(AdminClient admin, int weight) {
        long start = System.nanoTime();
        String answer;
        try {
            admin.change("greeter", new DeploymentChange("deploy", "1.0.0", weight, "*", null, null, "benchmark"));
            answer = "ok";
        } catch (AdminException e) {
            answer = e.status() + " " + e.code();
        } catch (RuntimeException e) {
            answer = e.getClass().getSimpleName();
            System.err.println("change: " + e);
        }
        return answer + " in " + (System.nanoTime() - start) / 1_000_000 + " ms";
    }

    /** The sessions that own greeter's instance records and the node records now. */
    private static Set<Long> owners(String connectString) throws Exception {
        try (RegistryConnection session = RegistryConnection.connect(connectString)) {
            Set<Long> owners = new HashSet<>();
            for (String path : paths(session)) {
                Stat stat = session.curator().checkExists().forPath(path);
                if (stat != null) {
                    owners.add(stat.getEphemeralOwner());
                }
            }
            return owners;
        }
    }

    /** Polls until both instance records and both node records exist, none owned by a session of {@code before}. */
    private static void awaitOwnedByLiveSessions(RegistryConnection observer, Set<Long> before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            List<String> paths = paths(observer);
            int live = 0;
            for (String path : paths) {
                Stat stat = observer.curator().checkExists().forPath(path);
                if (stat != null && !before.contains(stat.getEphemeralOwner())) {
                    live++;
                }
            }
            if (live == 4 && paths.size() == 4) {
                return;
            }
            Thread.sleep(10); // harness polling of the registry
        }
        throw new IllegalStateException("the nodes did not register again within 120 s");
    }

    private static List<String> paths(RegistryConnection session) throws Exception {
        RegistryLayout layout = session.layout();
        List<String> paths = new ArrayList<>();
        String services = layout.services() + "/greeter";
        if (session.curator().checkExists().forPath(services) != null) {
            for (String child : session.curator().getChildren().forPath(services)) {
                paths.add(services + "/" + child);
            }
        }
        if (session.curator().checkExists().forPath(layout.nodes()) != null) {
            for (String child : session.curator().getChildren().forPath(layout.nodes())) {
                paths.add(layout.nodes() + "/" + child);
            }
        }
        return paths;
    }
}
