package dev.vessel.bench.faults;

import static dev.vessel.bench.faults.FaultBenchmark.TOKEN;

import dev.vessel.protocol.admin.DeploymentChange;
import com.sun.net.httpserver.HttpServer;
import dev.vessel.deploy.AdminClient;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.HolderState;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer that stalls mid-body, against node processes with the default chunk timeout: an origin node takes each
 * upload, a second node is asked to run it and must fetch it. A stalling peer (in this process, registered like a
 * node, claiming every chunk, in the fetcher's zone) answers each chunk request with its headers and half the
 * body, then nothing. Timed from the deployment to the container ACTIVE on the fetcher, for one release the
 * staller does not claim (the baseline), then two it does: the first costs one chunk timeout, the second none,
 * since the staller is avoided by then.
 */
final class StallingPeerBenchmark {
    private StallingPeerBenchmark() {}

    static void run(Path dir, Path releases) throws Exception {
        AtomicInteger asked = new AtomicInteger();
        CountDownLatch end = new CountDownLatch(1);
        HttpServer staller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        staller.setExecutor(Executors.newCachedThreadPool());
        staller.createContext("/", exchange -> {
            asked.incrementAndGet();
            String[] range = exchange.getRequestHeaders().getFirst("Range").substring(6).split("-");
            long length = Long.parseLong(range[1]) - Long.parseLong(range[0]) + 1;
            exchange.sendResponseHeaders(206, length);
            exchange.getResponseBody().write(new byte[(int) (length / 2)]);
            exchange.getResponseBody().flush();
            try {
                end.await(10, TimeUnit.MINUTES); // half a chunk, then nothing until the benchmark ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        staller.start();
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), FaultBenchmark.freePort());
                FaultBenchmark.Nodes nodes = new FaultBenchmark.Nodes(dir, zk.connectString());
                RegistryConnection session = RegistryConnection.connect(zk.connectString());
                NodePresence presence = NodePresence.publish(session, new NodeRecord("staller", "127.0.0.1",
                        staller.getAddress().getPort(), "default", Map.of(), 0, 0), 10_000);
                ArtifactHolders claims = new ArtifactHolders(session, "staller")) {
            URI origin = nodes.start("origin");
            URI fetcher = nodes.start("fetcher");
            AdminClient admin = new AdminClient(origin, TOKEN);
            System.out.println("| release | staller claims it | staller asked | deployment -> ACTIVE on the fetcher s |");
            System.out.println("|---|---|---|---|");
            String[][] runs = {{"greeter-1.0.0", "no"}, {"greeter-1.1.0", "yes"}, {"greeter-2.0.0", "yes"}};
            for (String[] run : runs) {
                AdminClient.Uploaded uploaded = admin.upload(releases.resolve(run[0] + ".jar"), 1 << 20,
                        (f, s, t, b) -> { });
                ReleaseManifest release = admin.createRelease(List.of(uploaded), null, false, false, "benchmark");
                if (run[1].equals("yes")) {
                    int chunks = release.bundles().get(0).chunks().count();
                    BitSet all = new BitSet();
                    all.set(0, chunks);
                    claims.announce(release.bundles().get(0).sha256(), HolderState.of("default", false, chunks, all));
                }
                int askedBefore = asked.get();
                long start = System.nanoTime();
                admin.change(release.service(), new DeploymentChange("deploy", release.version(), 100, "fetcher",
                        null, null, "benchmark"));
                FaultBenchmark.awaitActive(fetcher, run[0], 120);
                System.out.printf(Locale.ROOT, "| %s | %s | %d | %.1f |%n", run[0], run[1], asked.get() - askedBefore,
                        (System.nanoTime() - start) / 1e9);
            }
        } finally {
            end.countDown();
            staller.stop(0);
        }
    }
}
