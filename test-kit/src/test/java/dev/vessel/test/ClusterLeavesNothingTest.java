package dev.vessel.test;

import static dev.vessel.test.VesselTestClusterTest.release;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A cluster that deployed, served, was frozen and killed leaves no thread, port or file behind once closed. */
class ClusterLeavesNothingTest {
    @Test
    void aClosedClusterLeavesNoThreadPortOrFile() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        List<Integer> ports = new ArrayList<>();
        Path dir;
        try (VesselTestCluster cluster = VesselTestCluster.start(2, "leaks")) {
            dir = cluster.directory();
            cluster.deploy("greeter", release("greeter-1.0.0"));
            assertThat(cluster.client().call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada").text())
                    .isEqualTo("Hello, Ada! (greeter 1.0.0)");
            cluster.node(1).freeze();
            cluster.node(0).kill();
            cluster.node(0).restart();
            for (TestNode node : cluster.nodes()) {
                ports.add(node.url().getPort());
            }
            ports.add(Integer.parseInt(cluster.zkConnect().substring(cluster.zkConnect().lastIndexOf(':') + 1)));
        }
        assertThat(Files.exists(dir)).as("the cluster's directory").isFalse();
        for (int port : ports) {
            assertThat(accepts(port)).as("port %d still accepts connections", port).isFalse();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> left = leftSince(before);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling the thread list against a deadline
            left = leftSince(before);
        }
        assertThat(left).as("threads the cluster started that are still alive").isEmpty();
    }

    /**
     * Threads that outlive what started them by design, one per process or until the garbage collector takes their
     * owner: the JVM's common pool and CompletableFuture's delay scheduler (anyone's CompletableFuture, started by
     * whichever class first uses them), the JDK HttpClient's selector and workers (Java 17's
     * client cannot be closed: its threads end once it is collected), Curator's SafeNotifyService (CuratorFramework's
     * close() leaves that executor to be collected), Prometheus' scheduler and the node's fetch watchdog (one each per
     * process, shared by every node in it).
     */
    private static final List<String> NOT_THE_CLUSTERS = List.of("ForkJoinPool.commonPool",
            "CompletableFutureDelayScheduler", "HttpClient-",
            "Curator-SafeNotifyService", "prometheus-metrics-scheduler", "vessel-fetch-watchdog");

    private static List<String> leftSince(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).filter(Thread::isAlive)
                .map(Thread::getName).filter(name -> NOT_THE_CLUSTERS.stream().noneMatch(name::startsWith))
                .sorted().collect(Collectors.toList());
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
