package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vessel.deploy.Rollout;
import dev.vessel.host.VesselNode;
import dev.vessel.host.testing.SmallFilesystem;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.Sha256;
import dev.vessel.router.VesselClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes, node-2's data directory on a real 12 MiB filesystem, a 20 MiB release deployed under load: node-2
 * refuses it at once as its own problem, blames no peer, keeps nothing of it, and goes on serving what it runs.
 */
class FullDiskTest {
    private static final int DISK_MIB = 12;

    @TempDir
    Path data;

    @Test
    void aReleaseThatDoesNotFitANodesDiskIsRefusedByThatNodeAndLeavesNothingBehind() throws Exception {
        SmallFilesystem disk = SmallFilesystem.mount(data.resolve("node-2"), DISK_MIB);
        assumeTrue(disk != null, "mounting a tmpfs needs root");
        try (disk; DeployCluster cluster = new DeployCluster(data, 0)) {
            cluster.addNode("node-1", config -> { });
            VesselNode small = cluster.addNode("node-2", config -> { });
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();
            long freeBefore = disk.free();
            Path jar = LargeRelease.create(Files.createDirectories(data.resolve("releases")), 20 << 20, 11);
            String sha = Sha256.of(jar);

            Rollout.Result result;
            SteadyLoad load;
            // when node-2 first shows the release refused: the figure docs/benchmarks.md gives, not an assertion
            java.util.concurrent.atomic.AtomicLong refusedAt = new java.util.concurrent.atomic.AtomicLong();
            Thread watcher = new Thread(() -> {
                while (refusedAt.get() == 0 && !Thread.currentThread().isInterrupted()) {
                    small.containers().stream().filter(c -> c.id().equals("greeter-2.0.0")
                            && c.state() == InstanceState.FAILED).findFirst()
                            .ifPresent(c -> refusedAt.compareAndSet(0, c.since()));
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L); // sampling, for the figure only
                }
            });
            watcher.setDaemon(true);
            watcher.start();
            try (VesselClient client = VesselClient.connect(cluster.zkConnect())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> client.instances("greeter").size() == 2);
                load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)");
                load.start();
                try {
                    result = cluster.rollout().deploy(new Rollout.Request(List.of(jar), null, 100, false,
                            DeployedVersion.ALL_NODES, false, true, false, Duration.ofSeconds(30), "itest", 1 << 20, 0));
                } finally {
                    load.stop();
                }
            }

            watcher.interrupt();
            assertThat(result.ok()).isFalse();
            // the rollback is the last revision; the deploy it undid is the one before
            long written = result.deployment().revision(result.deployment().revision() - 1).orElseThrow().at();
            System.out.printf("node-2 refused the release %d ms after the deployment naming it was written%n",
                    refusedAt.get() - written);
            String failures = String.join("\n", result.failures());
            assertThat(failures).contains("node-2: ").contains("MiB needed").contains("MiB free under")
                    .doesNotContain("avoided").doesNotContain("node-1: java.io");
            assertThat(load.failures()).as("calls that failed").isEmpty();
            assertThat(load.calls()).isPositive();
            try (Stream<Path> files = Files.walk(disk.path())) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(name -> name.startsWith(sha)))
                        .as("nothing of the refused artifact on node-2").isEmpty();
            }
            assertThat(disk.free()).isGreaterThan(freeBefore - (1 << 20));
            assertThat(small.containers()).anyMatch(c -> c.id().equals("greeter-1.0.0")
                    && c.state() == InstanceState.ACTIVE);
        }
    }
}
