package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.protocol.admin.DeploymentChange;
import com.sun.net.httpserver.HttpServer;
import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.ContainerInfo;
import dev.vessel.host.VesselNode;
import dev.vessel.host.FetchReport;
import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.HolderState;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.NodePresence;
import dev.vessel.registry.NodeRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseManifest;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunked peer-to-peer distribution with real nodes over loopback. Every node's serving rate is capped so that
 * transfers take long enough to overlap, the way links, not CPUs, limit them in a fleet.
 */
class PeerDistributionTest {
    private static final int CHUNK = 64 * 1024;
    private static final int PAYLOAD = 1024 * 1024; // ~17 chunks
    private static final long RATE = 384 * 1024; // bytes/s each node serves

    @TempDir
    Path data;

    private static void rateCapped(dev.vessel.host.NodeConfig.Builder config) {
        config.serveBytesPerSecond(RATE);
    }

    /** Uploads the large release to the first node and validates it; returns its manifest. */
    private static ReleaseManifest release(DeployCluster cluster, Path jar) {
        AdminClient admin = cluster.admin();
        AdminClient.Uploaded uploaded = admin.upload(jar, CHUNK, (name, sent, toSend, bytes) -> { });
        return admin.createRelease(List.of(uploaded), null, false, false, "itest");
    }

    private static Rollout.Result deploy(DeployCluster cluster, String nodes) throws InterruptedException {
        return cluster.rollout().change("greeter", new DeploymentChange("deploy", "2.0.0", 100, nodes, null, null,
                "itest"), Duration.ofSeconds(90));
    }

    private static FetchReport report(VesselNode node, String sha) {
        return node.fetchReports().stream().filter(r -> r.sha256().equals(sha)).reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void nodesFetchFromPeersWhileThoseAreStillDownloadingAndSpareTheOrigin() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode origin = cluster.addNode("origin", PeerDistributionTest::rateCapped);
            for (int i = 1; i <= 3; i++) {
                cluster.addNode("peer-" + i, PeerDistributionTest::rateCapped);
            }
            ReleaseManifest release = release(cluster, LargeRelease.create(data, PAYLOAD, 1));
            String sha = release.bundles().get(0).sha256();
            long size = release.bundles().get(0).size();
            assertThat(release.bundles().get(0).chunks().count()).isGreaterThan(15);

            assertThat(deploy(cluster, "*").ok()).isTrue();

            int fromIncompletePeers = 0;
            for (VesselNode peer : cluster.nodes().subList(1, 4)) {
                FetchReport report = report(peer, sha);
                assertThat(report.fromNode().values().stream().mapToInt(Integer::intValue).sum())
                        .isEqualTo(report.chunks());
                fromIncompletePeers += report.fromIncompletePeer();
                assertThat(Files.exists(data.resolve(peer.nodeId()).resolve("artifacts").resolve(sha + ".jar")))
                        .isTrue();
                assertThat(peer.containers()).extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE);
            }
            assertThat(fromIncompletePeers).as("chunks served by peers that were still downloading").isPositive();
            assertThat(origin.artifactBytesServed()).as("origin egress below three full copies")
                    .isLessThan(3 * size);
        }
    }

    @Test
    void aPeerServingCorruptChunksIsDetectedAndAvoidedAndTheArtifactArrivesIntact() throws Exception {
        AtomicInteger corruptServed = new AtomicInteger();
        HttpServer liar = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        liar.createContext("/", exchange -> {
            String range = exchange.getRequestHeaders().getFirst("Range");
            String[] bounds = range.substring("bytes=".length()).split("-");
            byte[] garbage = new byte[(int) (Long.parseLong(bounds[1]) - Long.parseLong(bounds[0]) + 1)];
            new Random().nextBytes(garbage);
            corruptServed.incrementAndGet();
            exchange.sendResponseHeaders(206, garbage.length);
            exchange.getResponseBody().write(garbage);
            exchange.close();
        });
        liar.start();
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            cluster.addNode("origin", config -> config.serveBytesPerSecond(128 * 1024));
            ReleaseManifest release = release(cluster, LargeRelease.create(data, PAYLOAD, 2));
            String sha = release.bundles().get(0).sha256();
            int chunks = release.bundles().get(0).chunks().count();
            // a node that claims every chunk, in the fetcher's own zone, and answers every range with garbage
            try (RegistryConnection liarSession = RegistryConnection.connect(cluster.zkConnect());
                    NodePresence presence = NodePresence.publish(liarSession, new NodeRecord("liar", "127.0.0.1",
                            liar.getAddress().getPort(), "default", Map.of(), 0, 0), 10_000);
                    ArtifactHolders claims = new ArtifactHolders(liarSession, "liar")) {
                BitSet all = new BitSet();
                all.set(0, chunks);
                claims.announce(sha, HolderState.of("default", false, chunks, all));
                VesselNode fetcher = cluster.addNode("fetcher", config -> { });

                assertThat(deploy(cluster, "fetcher").ok()).isTrue();

                FetchReport report = report(fetcher, sha);
                assertThat(report.rejectedFrom()).containsKey("liar");
                assertThat(report.fromNode()).doesNotContainKey("liar").containsEntry("origin", chunks);
                assertThat(corruptServed.get()).as("asked at most its per-peer limit before being avoided")
                        .isLessThanOrEqualTo(2);
                assertThat(ArtifactStoreDigest.of(data.resolve("fetcher").resolve("artifacts").resolve(sha + ".jar")))
                        .isEqualTo(sha);
                assertThat(fetcher.containers()).extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE);
            }
        } finally {
            liar.stop(0);
        }
    }

    @Test
    void aPeerThatStallsMidChunkCostsOneChunkTimeoutIsThenAvoidedByLaterDownloadsAndNeverSeesTheAdminToken() throws Exception {
        AtomicInteger stalledServed = new AtomicInteger();
        java.util.List<String> authorizations = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        HttpServer staller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        staller.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        staller.createContext("/", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            stalledServed.incrementAndGet();
            exchange.sendResponseHeaders(206, CHUNK);
            exchange.getResponseBody().write(new byte[CHUNK / 2]); // half a chunk, then nothing
            exchange.getResponseBody().flush();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        staller.start();
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            cluster.addNode("origin", config -> config.serveBytesPerSecond(512 * 1024));
            ReleaseManifest release2 = release(cluster, LargeRelease.create(data, PAYLOAD, 2));
            String sha = release2.bundles().get(0).sha256();
            int chunks = release2.bundles().get(0).chunks().count();
            try (RegistryConnection stallerSession = RegistryConnection.connect(cluster.zkConnect());
                    NodePresence presence = NodePresence.publish(stallerSession, new NodeRecord("staller",
                            "127.0.0.1", staller.getAddress().getPort(), "default", Map.of(), 0, 0), 10_000);
                    ArtifactHolders claims = new ArtifactHolders(stallerSession, "staller")) {
                BitSet all = new BitSet();
                all.set(0, chunks);
                claims.announce(sha, HolderState.of("default", false, chunks, all));
                VesselNode fetcher = cluster.addNode("fetcher", config -> config.chunkTimeout(Duration.ofSeconds(2)));

                long started = System.nanoTime();
                assertThat(deploy(cluster, "fetcher").ok()).isTrue();
                long seconds = (System.nanoTime() - started) / 1_000_000_000L;

                FetchReport report = report(fetcher, sha);
                assertThat(report.fromNode()).doesNotContainKey("staller").containsEntry("origin", chunks);
                assertThat(stalledServed.get()).as("asked at most its per-peer limit, once each, then avoided")
                        .isBetween(1, 2);
                assertThat(seconds).as("one 2 s chunk timeout, not a hang").isLessThan(60);
                assertThat(authorizations).allSatisfy(header -> assertThat(header).startsWith("Vessel-Read fetcher.")
                        .doesNotContain(DeployCluster.TOKEN));
                assertThat(fetcher.containers()).extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE);

                // the next artifact it claims: the fetcher skips it from the start, the origin still has it
                int askedBefore = stalledServed.get();
                AdminClient admin = cluster.admin();
                ReleaseManifest next = admin.createRelease(List.of(admin.upload(SampleReleases.bundle("greeter-1.1.0"),
                        CHUNK, (name, sent, toSend, bytes) -> { })), null, false, false, "itest");
                String nextSha = next.bundles().get(0).sha256();
                int nextChunks = next.bundles().get(0).chunks().count();
                BitSet nextAll = new BitSet();
                nextAll.set(0, nextChunks);
                claims.announce(nextSha, HolderState.of("default", false, nextChunks, nextAll));
                assertThat(cluster.rollout().change("greeter", new DeploymentChange("deploy", "1.1.0", 100,
                        "fetcher", null, null, "itest"), Duration.ofSeconds(90)).ok()).isTrue();
                assertThat(stalledServed.get()).as("a peer that stalled is skipped by the next download").isEqualTo(
                        askedBefore);
                assertThat(report(fetcher, nextSha).fromNode()).containsOnlyKeys("origin");
            }
        } finally {
            release.countDown();
            staller.stop(0);
        }
    }

    @Test
    void anArtifactReadGrantReadsArtifactsAndNothingElse() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode node = cluster.addNode("node-1", config -> { });
            Path jar = SampleReleases.bundle("greeter-1.0.0");
            AdminClient.Uploaded uploaded = cluster.admin().upload(jar);
            String grant = new dev.vessel.host.internal.admin.ArtifactGrant(DeployCluster.TOKEN,
                    java.time.Clock.systemUTC()).issue("node-2");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> read = http.send(HttpRequest.newBuilder(node.url().resolve("/v1/admin/artifacts/"
                    + uploaded.sha256())).header("Authorization", grant).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).isEqualTo(Files.readAllBytes(jar));
            HttpResponse<String> deploy = http.send(HttpRequest.newBuilder(node.url().resolve(
                    "/v1/admin/deployments/greeter")).header("Authorization", grant).POST(HttpRequest.BodyPublishers
                    .ofString("{\"action\": \"retire\", \"version\": \"1.0.0\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(deploy.statusCode()).isEqualTo(403);
            assertThat(deploy.body()).contains("FORBIDDEN").contains("reads artifacts");
            String forged = grant.substring(0, grant.length() - 4) + "0000";
            assertThat(http.send(HttpRequest.newBuilder(node.url().resolve("/v1/admin/artifacts/" + uploaded.sha256()))
                    .header("Authorization", forged).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void whenTheOriginDiesMidDistributionThePeersStillComplete() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            VesselNode origin = cluster.addNode("origin", PeerDistributionTest::rateCapped);
            cluster.addNode("seed", PeerDistributionTest::rateCapped);
            ReleaseManifest release = release(cluster, LargeRelease.create(data, PAYLOAD, 3));
            String sha = release.bundles().get(0).sha256();
            assertThat(deploy(cluster, "seed").ok()).isTrue(); // one peer holds every chunk

            VesselNode late1 = cluster.addNode("late-1", PeerDistributionTest::rateCapped);
            VesselNode late2 = cluster.addNode("late-2", PeerDistributionTest::rateCapped);
            AdminClient admin = new AdminClient(cluster.nodes().get(1).url(), DeployCluster.TOKEN);
            admin.change("greeter", new DeploymentChange("deploy", "2.0.0", 100, "*", null, null, "itest"));
            ArtifactHolders holders = new ArtifactHolders(cluster.registry(), "observer");
            await().atMost(Duration.ofSeconds(30)).until(() -> holders.states(sha).containsKey("late-1"));
            cluster.stop(origin); // mid-distribution: its holder record goes with its session

            for (VesselNode late : List.of(late1, late2)) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(late.containers())
                        .extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE));
                FetchReport report = report(late, sha);
                assertThat(report.fromNode().values().stream().mapToInt(Integer::intValue).sum())
                        .isEqualTo(report.chunks());
                assertThat(ArtifactStoreDigest.of(data.resolve(late.nodeId()).resolve("artifacts")
                        .resolve(sha + ".jar"))).isEqualTo(sha);
            }
        }
    }

    @Test
    void aNodeRestartedMidDownloadResumesInsteadOfStartingOver() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 0)) {
            cluster.addNode("origin", config -> config.serveBytesPerSecond(128 * 1024));
            ReleaseManifest release = release(cluster, LargeRelease.create(data, PAYLOAD, 4));
            String sha = release.bundles().get(0).sha256();
            int chunks = release.bundles().get(0).chunks().count();
            VesselNode first = cluster.startNode("restarting");
            cluster.admin().change("greeter", new DeploymentChange("deploy", "2.0.0", 100, "restarting", null, null,
                    "itest"));
            ArtifactHolders holders = new ArtifactHolders(cluster.registry(), "observer");
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                HolderState state = holders.states(sha).get("restarting");
                return state != null && state.haveSet().cardinality() >= 4;
            });
            cluster.stop(first); // interrupted mid-download

            VesselNode again = cluster.startNode("restarting");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(again.containers())
                    .extracting(ContainerInfo::state).containsExactly(InstanceState.ACTIVE));
            FetchReport report = report(again, sha);
            assertThat(report.alreadyHad()).isGreaterThanOrEqualTo(4);
            assertThat(report.fromNode().values().stream().mapToInt(Integer::intValue).sum())
                    .isEqualTo(chunks - report.alreadyHad());
        }
    }

    @Test
    void anInterruptedUploadResumesWithOnlyTheMissingChunks() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 1)) {
            Path jar = LargeRelease.create(data, PAYLOAD, 5);
            AdminClient admin = cluster.admin();
            // the first attempt dies after three chunks
            AtomicInteger sent = new AtomicInteger();
            try {
                admin.upload(jar, CHUNK, (name, done, toSend, bytes) -> {
                    if (sent.incrementAndGet() == 3) {
                        throw new IllegalStateException("connection lost");
                    }
                });
            } catch (IllegalStateException expected) {
                // interrupted
            }
            AdminClient.Uploaded resumed = admin.upload(jar, CHUNK, (name, done, toSend, bytes) -> { });
            assertThat(resumed.chunksSent()).isEqualTo(resumed.chunks() - 3);
            AdminClient.Uploaded again = admin.upload(jar, CHUNK, (name, done, toSend, bytes) -> { });
            assertThat(again.chunksSent()).as("re-uploading held content sends nothing").isZero();
            HttpResponse<Void> head = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            cluster.nodes().get(0).url().resolve("/v1/admin/artifacts/" + resumed.sha256()))
                    .header("Authorization", "Bearer " + DeployCluster.TOKEN)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(ArtifactStoreDigest.of(data.resolve("node-1").resolve("artifacts")
                    .resolve(resumed.sha256() + ".jar"))).isEqualTo(resumed.sha256());
        }
    }

    /** The SHA-256 of a file: the end-to-end integrity check, independent of the code under test. */
    static final class ArtifactStoreDigest {
        static String of(Path file) throws Exception {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
        }
    }
}
