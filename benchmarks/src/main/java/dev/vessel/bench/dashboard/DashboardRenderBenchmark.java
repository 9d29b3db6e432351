package dev.vessel.bench.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.vessel.registry.ContainerStatus;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.DeploymentStore;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.NodeStatus;
import dev.vessel.registry.RegistryConnection;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * First render of the dashboard in headless Chromium, against a {@code vessel up --demo} in its own process:
 * from navigation start to the page's first complete drawing of its API answer (the page records that moment,
 * {@code window.vesselDashboard.firstRenderMillis}, on the browser's own clock), for the demo and then for a
 * fleet of simulated records in the same registry: 49 more nodes (each answering {@code /v1/load} from an HTTP
 * server of this process, so the node's fan-out is real) and 20 more services of 3 versions on all of them.
 *
 * <p>Each run waits out the node's 500 ms view cache first, so every first render includes reading the
 * registry and asking every node for its load.
 *
 * <p>Arguments: the {@code vessel up} home (its cluster.json), runs per case, simulated nodes, services, versions.
 */
public final class DashboardRenderBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] VERSIONS = {"1.0.0", "1.1.0", "2.0.0", "2.1.0", "3.0.0"};

    private DashboardRenderBenchmark() {}

    public static void main(String[] args) throws Exception {
        JsonNode cluster = JSON.readTree(Path.of(args[0]).resolve("cluster.json").toFile());
        int runs = Integer.parseInt(args[1]);
        int nodes = Integer.parseInt(args[2]);
        int services = Integer.parseInt(args[3]);
        int versions = Integer.parseInt(args[4]);
        String url = cluster.path("nodes").get(0).path("url").asText();
        String page = url + "/ui/#token=" + cluster.path("token").asText();

        ChromeOptions options = new ChromeOptions();
        options.setBinary(new File(System.getProperty("vessel.chromium", "/usr/bin/chromium")));
        Path profile = Files.createTempDirectory("vessel-bench-chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("vessel.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        ChromeDriver browser = new ChromeDriver(service, options);
        List<HttpServer> peers = new ArrayList<>();
        List<java.io.Closeable> records = new ArrayList<>();
        // the simulated nodes' records are written as the cluster's nodes write theirs: its registry is secured
        try (RegistryConnection registry = RegistryConnection.connect(cluster.path("zk").asText(),
                dev.vessel.registry.RegistryLayout.defaultLayout(), java.time.Duration.ofSeconds(10),
                dev.vessel.registry.RegistryCredentials.forNodes(cluster.path("token").asText()))) {
            Result demo = measure(browser, page, runs);
            simulate(registry, peers, records, nodes, services, versions);
            awaitShown(url, cluster.path("token").asText(), nodes, services);
            Result fleet = measure(browser, page, runs);
            System.out.printf(Locale.ROOT, "%nDashboard first render, %d runs each (ms, navigation start to drawn)%n",
                    runs);
            System.out.println("| case | cells | first render p50 | p90 | max | its API answer p50 |");
            System.out.println("|---|---|---|---|---|---|");
            demo.print("demo: 1 node, 1 service x 3 versions");
            fleet.print("simulated: " + (nodes + 1) + " nodes, " + (services + 1) + " services x " + versions
                    + " versions");
            // Curator's PersistentNode must be closed before its session: one left open retries its create
            // from the closed session's callback until the stack overflows
            for (java.io.Closeable record : records) {
                record.close();
            }
        } finally {
            browser.quit();
            peers.forEach(p -> p.stop(0));
        }
    }

    private record Result(double[] render, double[] api, long cells) {
        void print(String name) {
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.0f |%n", name, cells,
                    percentile(render, 50), percentile(render, 90), percentile(render, 100), percentile(api, 50));
        }
    }

    private static Result measure(ChromeDriver browser, String page, int runs) throws InterruptedException {
        double[] render = new double[runs];
        double[] api = new double[runs];
        long cells = 0;
        for (int i = -1; i < runs; i++) { // one warm-up: the browser's first start of its renderer is not the page's
            browser.get("about:blank");
            // pacing, not waiting for anything: the node keeps a view for 500 ms, and each run should make its
            // own (the worst case, a page opened when nobody else is watching)
            Thread.sleep(600);
            browser.get(page);
            long deadline = System.nanoTime() + 30_000_000_000L;
            Object first = null;
            while (first == null && System.nanoTime() < deadline) {
                first = js(browser, "return window.vesselDashboard && window.vesselDashboard.firstRenderMillis;");
                if (first == null) {
                    Thread.sleep(5); // polling the browser; the figure is the page's own timestamp, not this loop
                }
            }
            if (first == null) {
                throw new IllegalStateException("the dashboard did not render within 30 s");
            }
            if (i >= 0) {
                render[i] = ((Number) first).doubleValue();
                api[i] = ((Number) js(browser, "const e = performance.getEntriesByType('resource')"
                        + ".find(r => r.name.endsWith('/v1/admin/dashboard')); return e ? e.duration : -1;"))
                        .doubleValue();
                cells = ((Number) js(browser, "return document.querySelectorAll('#services td.state').length;"))
                        .longValue();
            }
        }
        return new Result(render, api, cells);
    }

    /**
     * Registers {@code nodes} more nodes with {@code services} services of {@code versions} versions each, all
     * ACTIVE and registered, with desired states that select only them (label {@code sim=true}), so the real
     * node has nothing to do for them. The records go when this process's session closes.
     */
    private static void simulate(RegistryConnection registry, List<HttpServer> peers, List<java.io.Closeable> records,
            int nodes, int services, int versions) throws Exception {
        Random random = new Random(42);
        InstanceRegistry instances = new InstanceRegistry(registry);
        records.add(instances);
        for (int n = 1; n <= nodes; n++) {
            String id = String.format(Locale.ROOT, "sim-%02d", n);
            HttpServer peer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            byte[] load = load(id, services, versions, random);
            peer.createContext("/v1/load", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, load.length);
                exchange.getResponseBody().write(load);
                exchange.close();
            });
            peer.start();
            peers.add(peer);
            int port = peer.getAddress().getPort();
            NodePresence presence = NodePresence.publish(registry, new NodeRecord(id, "127.0.0.1", port, "zone-" + (n % 3),
                    Map.of("sim", "true"), System.currentTimeMillis(), 0), 5_000);
            records.add(presence);
            List<ContainerStatus> containers = new ArrayList<>();
            for (int s = 1; s <= services; s++) {
                for (int v = 0; v < versions; v++) {
                    String service = service(s);
                    String container = service + "-" + VERSIONS[v];
                    containers.add(new ContainerStatus(container, service, VERSIONS[v], InstanceState.ACTIVE, null,
                            System.currentTimeMillis()));
                    instances.register(new InstanceRecord(id + "." + container, service, VERSIONS[v], id, container,
                            "zone-" + (n % 3), InstanceState.ACTIVE, 100, "127.0.0.1", port));
                }
            }
            presence.update(new NodeStatus(id, containers, System.currentTimeMillis()));
        }
        DeploymentStore deployments = new DeploymentStore(registry);
        for (int s = 1; s <= services; s++) {
            String service = service(s);
            for (int v = 1; v <= versions; v++) { // a history of one deploy per version
                List<DeployedVersion> desired = Arrays.stream(VERSIONS, 0, v)
                        .map(version -> new DeployedVersion(version, 100, "sim=true")).toList();
                long expected = v - 1;
                String action = "deploy " + VERSIONS[v - 1];
                deployments.update(service, expected, d -> d.next(desired, action, "benchmark"));
            }
        }
    }

    /** Waits until the node's dashboard answer shows every simulated node and service (its caches have them). */
    private static void awaitShown(String url, String token, int nodes, int services) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url
                    + "/v1/admin/dashboard")).header("Authorization", "Bearer " + token).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            JsonNode view = JSON.readTree(body).path("view");
            if (view.path("nodes").size() > nodes && view.path("services").size() > services) {
                return;
            }
            Thread.sleep(100); // the node's deployment cache follows the registry on its own
        }
        throw new IllegalStateException("the node did not show the simulated records within 60 s");
    }

    private static String service(int s) {
        return String.format(Locale.ROOT, "svc-%02d", s);
    }

    /** The body of a simulated node's {@code /v1/load}: its containers, each with a call rate. */
    private static byte[] load(String node, int services, int versions, Random random) throws Exception {
        List<Map<String, Object>> containers = new ArrayList<>();
        double total = 0;
        for (int s = 1; s <= services; s++) {
            for (int v = 0; v < versions; v++) {
                double rate = Math.round(random.nextDouble() * 5000) / 100.0;
                total += rate;
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("service", service(s));
                c.put("version", VERSIONS[v]);
                c.put("state", "ACTIVE");
                c.put("inFlight", random.nextInt(4));
                c.put("callRate", rate);
                containers.add(c);
            }
        }
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("node", node);
        load.put("time", System.currentTimeMillis());
        load.put("inFlight", 3);
        load.put("callRate", Math.round(total * 100) / 100.0);
        load.put("processCpu", 0.25);
        load.put("systemLoad", 1.5);
        load.put("heapUsed", 200L << 20);
        load.put("heapMax", 1L << 30);
        load.put("containers", containers);
        return JSON.writeValueAsString(load).getBytes(StandardCharsets.UTF_8);
    }

    private static Object js(ChromeDriver browser, String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
