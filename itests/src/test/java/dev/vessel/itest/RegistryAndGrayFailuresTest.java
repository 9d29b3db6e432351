package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.router.CallOptions;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselTestCluster;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry and node faults do not reach callers: a ZooKeeper leader killed under load, a deployment on what is
 * left, then the loss of the quorum fail no call; an instance that accepts connections and never answers costs idempotent calls one attempt each until it is ejected.
 */
class RegistryAndGrayFailuresTest {
    @TempDir
    Path data;

    @Test
    void killingTheZooKeeperLeaderThenDeployingThenLosingTheQuorumFailsNoCall() throws Exception {
        try (TestingCluster ensemble = new TestingCluster(3)) {
            ensemble.start();
            try (VesselTestCluster cluster = VesselTestCluster.builder().zooKeeper(ensemble.getConnectString())
                            .directory(data).nodes(2).start();
                    DesiredState desired = SampleReleases.desiredState(ensemble.getConnectString());
                    VesselClient client = VesselClient.connect(ensemble.getConnectString())) {
                VesselNode one = cluster.node(0).vesselNode();
                VesselNode two = cluster.node(1).vesselNode();
                SampleReleases.deploy(desired, one, "greeter-1.0.0");
                SampleReleases.deploy(desired, two, "greeter-1.0.0");
                await().atMost(Duration.ofSeconds(10)).until(() -> client.instances("greeter").size() == 2);
                SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)", "[1.0,2.0)");
                load.start();
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > 500);
                    InstanceSpec killedLeader = leader(ensemble);
                    ensemble.killServer(killedLeader);
                    // a new leader is elected, and calls go on through the election and after it
                    await().atMost(Duration.ofSeconds(60)).until(() -> leaderOrNull(ensemble) != null);
                    long afterElection = load.calls();
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.calls() > afterElection + 2_000);

                    // a deployment on the two-server ensemble reaches the client, which moves to it
                    SampleReleases.deploy(desired, one, "greeter-1.1.0");
                    SampleReleases.deploy(desired, two, "greeter-1.1.0");
                    await().atMost(Duration.ofSeconds(30)).until(() -> client.instances("greeter").size() == 4);
                    long afterDeploy = load.calls();
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.answeredBy().entrySet().stream()
                            .filter(e -> e.getKey().endsWith("-> 1.1.0")).mapToLong(e -> e.getValue()).sum() > 500);

                    // then a follower dies too: no quorum at all, and the client routes on its last table
                    InstanceSpec killedFollower = ensemble.getInstances().stream()
                            .filter(spec -> !spec.equals(killedLeader)).findFirst().orElseThrow();
                    ensemble.killServer(killedFollower);
                    long withoutQuorum = load.calls();
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.calls() > withoutQuorum + 2_000);
                    assertThat(one.containers()).extracting(c -> c.state()).containsOnly(InstanceState.ACTIVE);
                    assertThat(two.containers()).extracting(c -> c.state()).containsOnly(InstanceState.ACTIVE);
                    assertThat(load.calls()).isGreaterThan(afterDeploy);

                    // the quorum comes back and the registry still holds all four instances
                    ensemble.restartServer(killedFollower);
                    ensemble.restartServer(killedLeader);
                    try (VesselClient fresh = VesselClient.connect(ensemble.getConnectString())) {
                        await().atMost(Duration.ofSeconds(60)).until(() -> fresh.instances("greeter").size() == 4);
                    }
                } finally {
                    load.stop();
                }
                assertThat(load.failures()).isEmpty();
                assertThat(load.calls()).isGreaterThan(5_000);
            }
        }
    }

    @Test
    void aFrozenInstanceCostsIdempotentCallsOneAttemptAndIsEjected() throws Exception {
        try (VesselTestCluster cluster = VesselTestCluster.builder().directory(data).nodes(1).withoutRelays().start();
                FrozenServer frozen = new FrozenServer();
                RegistryConnection impostor = RegistryConnection.connect(cluster.zkConnect());
                DesiredState desired = SampleReleases.desiredState(impostor)) {
            VesselNode node = cluster.node(0).vesselNode();
            InstanceRegistry registry = new InstanceRegistry(impostor);
            try (VesselClient client = VesselClient.builder().connectString(cluster.zkConnect())
                    .attemptTimeout(Duration.ofMillis(300)).build()) {
                SampleReleases.deploy(desired, node, "greeter-1.0.0");
                // a second instance of the same version on a "node" that accepts connections and never answers
                registry.register(new InstanceRecord("frozen.greeter-1.0.0", "greeter", "1.0.0", "frozen",
                        "greeter-1.0.0", "default", InstanceState.ACTIVE, 100, "127.0.0.1", frozen.port()));
                await().atMost(Duration.ofSeconds(10)).until(() -> client.instances("greeter").size() == 2);
                int calls = 400;
                List<String> failures = new CopyOnWriteArrayList<>();
                for (int i = 0; i < calls; i++) {
                    try {
                        client.call(CallOptions.idempotentCall(), "greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
                assertThat(failures).isEmpty();
                // consecutive timeouts eject it, so only a handful of the 400 calls ever tried it
                assertThat(frozen.accepted()).isGreaterThanOrEqualTo(1).isLessThan(40);
            } finally {
                registry.close();
            }
        }
    }

    private static InstanceSpec leader(TestingCluster ensemble) {
        InstanceSpec leader = leaderOrNull(ensemble);
        if (leader == null) {
            throw new AssertionError("the ensemble has no leader");
        }
        return leader;
    }

    private static InstanceSpec leaderOrNull(TestingCluster ensemble) {
        for (InstanceSpec spec : ensemble.getInstances()) {
            try {
                String answer = FourLetterWordMain.send4LetterWord("127.0.0.1", spec.getPort(), "srvr");
                if (answer.contains("Mode: leader")) {
                    return spec;
                }
            } catch (Exception downOrLooking) {
                // not this one
            }
        }
        return null;
    }

    /** Accepts connections and never reads or answers: a process under SIGSTOP, seen from a client. */
    private static final class FrozenServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final AtomicInteger accepted = new AtomicInteger();
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final Thread acceptor;

        FrozenServer() throws java.io.IOException {
            acceptor = new Thread(() -> {
                while (open.get()) {
                    try {
                        held.add(socket.accept());
                        accepted.incrementAndGet();
                    } catch (java.io.IOException closed) {
                        return;
                    }
                }
            }, "frozen-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepted() {
            return accepted.get();
        }

        @Override
        public void close() throws Exception {
            open.set(false);
            socket.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
