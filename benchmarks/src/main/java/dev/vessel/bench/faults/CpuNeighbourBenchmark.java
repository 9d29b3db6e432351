package dev.vessel.bench.faults;

import static dev.vessel.bench.faults.FaultBenchmark.TOKEN;
import static dev.vessel.bench.faults.FaultBenchmark.percentile;

import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.router.VesselClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A release that computes beside a healthy one, measured from outside: one node process per scenario (a fresh
 * JVM, the CPU isolation it is told), greeter called by 2 client threads of this process through
 * {@code VesselClient}, alone and then while 16 callers keep the burner release computing; {@code /v1/health}
 * sampled every 20 ms throughout. Scenarios, in one run so their ratios compare:
 *
 * <ul>
 *   <li>long burns (each call computes 15 s, 16 in flight): isolation off, the kernel's, the kernel's with the
 *       burner deployed {@code --cpu-limit 0.5} (its group's kernel accounting read over the window);</li>
 *   <li>short burns (each call computes 200 ms, 16 callers calling again at once, and a second after a
 *       refusal): isolation off, and measured (the fallback where the kernel cannot help; it acts on calls as
 *       they arrive, so it needs calls that keep arriving).</li>
 * </ul>
 *
 * Bounded in time; every request goes to 127.0.0.1.
 */
final class CpuNeighbourBenchmark {
    private static final int BURNERS = 16;

    private CpuNeighbourBenchmark() {}

    private record Scenario(String name, String isolation, long burnMillis, double cpuLimit) {}

    static void run(Path dir, Path releases, int seconds) throws Exception {
        List<Scenario> scenarios = List.of(
                new Scenario("long burns, isolation off", "off", 15_000, 0),
                new Scenario("long burns, kernel (cgroup)", "kernel", 15_000, 0),
                new Scenario("long burns, kernel, burner --cpu-limit 0.5", "kernel", 15_000, 0.5),
                new Scenario("short burns, isolation off", "off", 200, 0),
                new Scenario("short burns, measured (fallback)", "measured", 200, 0));
        List<String> rows = new ArrayList<>();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), FaultBenchmark.freePort())) {
            int n = 0;
            for (Scenario scenario : scenarios) {
                rows.addAll(measure(dir.resolve("scenario-" + ++n), zk.connectString(), releases, scenario, seconds));
            }
        }
        System.out.println("| scenario | greeter | calls/s | ratio to alone | p99 ms | failed | health p99 ms |"
                + " health max ms | burner calls 200 / refused | burner cores (kernel accounting) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static List<String> measure(Path dir, String zk, Path releases, Scenario scenario, int seconds)
            throws Exception {
        Files.createDirectories(dir);
        try (FaultBenchmark.Nodes nodes = new FaultBenchmark.Nodes(dir, zk)) {
            String id = "cpu-" + dir.getFileName();
            URI url = nodes.start(id, "-Dvessel.bench.cpuIsolation=" + scenario.isolation());
            String mechanism = Files.readAllLines(dir.resolve(id + ".log")).stream()
                    .filter(line -> line.contains("CPU isolation")).findFirst().orElse("?");
            System.err.println(scenario.name() + ": " + mechanism);
            AdminClient admin = new AdminClient(url, TOKEN);
            FaultBenchmark.deploy(admin, releases.resolve("greeter-1.0.0.jar"), 0);
            FaultBenchmark.deploy(admin, releases.resolve("burner.jar"), 0, scenario.cpuLimit());
            try (VesselClient client = VesselClient.builder().connectString(zk).build()) {
                FaultBenchmark.awaitInstances(client, "greeter", 1);
                FaultBenchmark.awaitInstances(client, "burner", 1);
                FaultBenchmark.measureGreeter(client, url, 3, null); // warm-up
                FaultBenchmark.Measured alone = FaultBenchmark.measureGreeter(client, url, seconds, null);
                FaultBenchmark.Flood burners = new FaultBenchmark.Flood(url, "burner/1.0.0/burner/burn", BURNERS,
                        scenario.burnMillis(), Duration.ofSeconds(120));
                burners.start();
                FaultBenchmark.Measured beside;
                double burnerCores;
                try {
                    Thread.sleep(1_000); // the burning calls start computing before the window opens
                    Path usage = burnerUsage(nodes.process(id).pid(), id);
                    long before = usage == null ? 0 : Long.parseLong(Files.readString(usage).trim());
                    long start = System.nanoTime();
                    beside = FaultBenchmark.measureGreeter(client, url, seconds, null);
                    burnerCores = usage == null ? Double.NaN
                            : (Long.parseLong(Files.readString(usage).trim()) - before)
                                    / (double) (System.nanoTime() - start);
                } finally {
                    burners.stop();
                }
                return List.of(row(scenario.name(), "alone", alone, alone, null, Double.NaN),
                        row(scenario.name(), "beside " + BURNERS + " burning callers", beside, alone, burners,
                                burnerCores));
            }
        }
    }

    private static String row(String scenario, String what, FaultBenchmark.Measured measured,
            FaultBenchmark.Measured alone, FaultBenchmark.Flood burners, double burnerCores) {
        return String.format(Locale.ROOT, "| %s | %s | %.0f | %.2f | %.2f | %d | %.1f | %.1f | %s | %s |", scenario,
                what, measured.perSecond(), measured.perSecond() / alone.perSecond(), measured.p99(),
                measured.failed(), percentile(measured.health(), 99), percentile(measured.health(), 100),
                burners == null ? "-" : burners.ok.sum() + " / " + burners.refused.sum(),
                Double.isNaN(burnerCores) ? "-" : String.format(Locale.ROOT, "%.2f", burnerCores));
    }

    /** The burner container's {@code cpuacct.usage} in the node process's groups; null without kernel isolation. */
    private static Path burnerUsage(long pid, String nodeId) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3 && List.of(fields[1].split(",")).contains("cpuacct")) {
                String host = "/vessel/" + pid + "/host";
                if (!fields[2].endsWith(host)) {
                    return null; // not moved: the node does not isolate by cgroup
                }
                String base = fields[2].substring(0, fields[2].length() - host.length());
                Path usage = Path.of("/sys/fs/cgroup/cpuacct" + base, "vessel", Long.toString(pid), "n-" + nodeId,
                        "burner-1.0.0", "cpuacct.usage");
                return Files.exists(usage) ? usage : null;
            }
        }
        return null;
    }
}
