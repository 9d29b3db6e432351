package dev.vessel.cli;

import dev.vessel.deploy.AdminClient;
import dev.vessel.deploy.Rollout;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.QuorumStatus;
import dev.vessel.host.SelfSignedTls;
import dev.vessel.registry.TlsTrust;
import dev.vessel.host.VesselNode;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.registry.RegistryTls;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code vessel up} runs in one process: an embedded ZooKeeper and N nodes on consecutive ports,
 * optionally with the demo releases started on every node. Closing stops the nodes, then ZooKeeper.
 */
final class LocalCluster implements Closeable {
    static final List<String> DEMO_RELEASES = List.of("greeter-1.0.0", "greeter-1.1.0", "greeter-2.0.0");

    private final EmbeddedZooKeeper zooKeeper;
    private final List<VesselNode> nodes;
    /** The read-only identity its own reads use (the nodes secure the registry). */
    private final RegistryCredentials reader;
    /** How its own sessions reach the quorum when the nodes run it with TLS, else null. */
    private final RegistryTls registryTls;

    private LocalCluster(EmbeddedZooKeeper zooKeeper, List<VesselNode> nodes, RegistryCredentials reader,
            RegistryTls registryTls) {
        this.zooKeeper = zooKeeper;
        this.nodes = nodes;
        this.reader = reader;
        this.registryTls = registryTls;
    }

    /** @param tls the stores every node serves HTTPS with, or null for plain HTTP */
    record Settings(Path home, int nodes, int firstPort, int zkPort, String bindAddress, boolean demo, String token,
            SelfSignedTls.Files tls) {
        Settings(Path home, int nodes, int firstPort, int zkPort, String bindAddress, boolean demo, String token) {
            this(home, nodes, firstPort, zkPort, bindAddress, demo, token, null);
        }
    }

    /** A fresh admin token: 32 random bytes, hex. */
    static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * Starts everything or, on any failure, stops what had started and rethrows. One node uses a standalone
     * embedded ZooKeeper; two or more run the quorum themselves: node-1 founds it on the ZooKeeper port, each
     * further node joins with a member on the next port, and the quorum manager makes up to three of them voters.
     */
    static LocalCluster start(Settings settings) {
        return start(settings, reachable -> {});
    }

    /**
     * {@link #start(Settings)}, calling {@code onReachable} as soon as every node serves (and the quorum formed),
     * before the demo starts. Until the demo is ACTIVE and start returns, the nodes' health says STARTING, so a
     * script that waits for health finds what {@code onReachable} recorded, and the demo.
     */
    static LocalCluster start(Settings settings, java.util.function.Consumer<LocalCluster> onReachable) {
        boolean quorum = settings.nodes() > 1;
        EmbeddedZooKeeper zk = quorum ? null
                : EmbeddedZooKeeper.start(settings.home().resolve("zookeeper"), settings.zkPort());
        List<VesselNode> nodes = new ArrayList<>();
        // with TLS, the nodes serve their quorum members over it too, and every session reaches them so
        RegistryTls registryTls = quorum && settings.tls() != null
                ? new RegistryTls(settings.tls().trustStore(), settings.tls().trustStorePassword()) : null;
        // secured like a quorum the nodes run: only the nodes write, only they and the reader identity read
        LocalCluster cluster = new LocalCluster(zk, nodes, RegistryCredentials.forReader(
                RegistryCredentials.readerSecret(settings.token())), registryTls);
        try {
            String founder = "127.0.0.1:" + settings.zkPort();
            for (int i = 1; i <= settings.nodes(); i++) {
                String id = "node-" + i;
                NodeConfig.Builder config = NodeConfig.builder(quorum ? founder : zk.connectString(),
                                settings.home().resolve("nodes").resolve(id))
                        .nodeId(id)
                        .bindAddress(settings.bindAddress())
                        .port(settings.firstPort() == 0 ? 0 : settings.firstPort() + i - 1)
                        .adminToken(settings.token())
                        .secureRegistry(true)
                        .readinessHeld(true);
                if (quorum) {
                    config.quorum(new NodeConfig.Quorum(i == 1, settings.zkPort() + i - 1, 0, 0, 3,
                            QUORUM_STABILIZATION, Duration.ofSeconds(30)));
                }
                if (settings.tls() != null) {
                    config.tls(settings.tls().nodeTls());
                }
                nodes.add(VesselNode.start(config.build()));
            }
            if (quorum) {
                // every member in the configuration; three voters, or one while there are only two (an even number
                // of voters would tolerate no more failures than one less)
                cluster.awaitQuorum(settings.nodes(), settings.nodes() >= 3 ? 3 : 1, Duration.ofSeconds(60));
            }
            onReachable.accept(cluster);
            if (settings.demo()) {
                cluster.startDemo(settings.home().resolve("demo"), settings.token(), settings.tls());
            }
            nodes.forEach(VesselNode::markReady);
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** On one machine members are in sync at once; the stabilization time only has to see that. */
    private static final Duration QUORUM_STABILIZATION = Duration.ofSeconds(2);

    private void awaitQuorum(int members, int voters, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (RegistryConnection registry = registry()) {
            while (true) {
                QuorumStatus status = QuorumStatus.read(registry.curator(), "/vessel");
                long voting = status.members().stream().filter(m -> m.role().equals("participant")).count();
                long configured = status.members().stream().filter(m -> !m.role().equals("joining")).count();
                if (voting >= voters && configured >= members) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new CliException(ExitCode.FAILED, "the quorum did not reach " + members + " members and "
                            + voters + " voter(s) within " + timeout.toSeconds() + " s: " + status.members());
                }
                Thread.sleep(200); // polling the quorum's own configuration; it changes by reconfig, not by event
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted while the quorum formed");
        } catch (CliException e) {
            throw e;
        } catch (Exception e) {
            throw new CliException(ExitCode.FAILED, "cannot read the quorum's membership: " + e.getMessage());
        }
    }

    /** Deploys the demo releases the way `vessel deploy` does: through the admin API and the desired state. */
    private void startDemo(Path demoDir, String token, SelfSignedTls.Files tls) {
        try (RegistryConnection registry = registry()) {
            AdminClient admin = new AdminClient(nodes.get(0).url(), token, tls == null ? null
                    : TlsTrust.context(tls.trustStore(), tls.trustStorePassword()));
            Rollout rollout = new Rollout(admin, registry, (phase, c) -> { });
            for (String name : DEMO_RELEASES) {
                Rollout.Result result = rollout.deploy(new Rollout.Request(List.of(extract(name + ".jar", demoDir)),
                        null, 100, false, DeployedVersion.ALL_NODES, false, true, false, Duration.ofSeconds(60),
                        "vessel up --demo"));
                if (!result.ok()) {
                    throw new CliException(ExitCode.FAILED, "demo release " + name + " did not start: "
                            + result.failures());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCode.FAILED, "interrupted while starting the demo");
        }
    }

    private static Path extract(String resource, Path dir) {
        try (InputStream in = LocalCluster.class.getClassLoader().getResourceAsStream("demo/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("demo release " + resource + " is missing from this build");
            }
            Files.createDirectories(dir);
            Path target = dir.resolve(resource);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract demo release " + resource + " to " + dir, e);
        }
    }

    private RegistryConnection registry() {
        return RegistryConnection.connect(zkConnect(), RegistryLayout.defaultLayout(),
                RegistryConnection.DEFAULT_CONNECT_TIMEOUT, reader, registryTls);
    }

    /** Whether ZooKeeper is reached over TLS: the nodes run the quorum, and with TLS. */
    boolean zkTls() {
        return registryTls != null;
    }

    /** Every ZooKeeper server of the cluster: the embedded one, or every node's quorum member. */
    String zkConnect() {
        if (zooKeeper != null) {
            return zooKeeper.connectString();
        }
        return String.join(",", nodes.stream().map(n -> n.quorumMember().orElseThrow()).toList());
    }

    private void stopAll(java.util.function.Consumer<VesselNode> stop) {
        List<Thread> stopping = new ArrayList<>();
        for (VesselNode node : nodes) {
            Thread thread = new Thread(() -> {
                try {
                    stop.accept(node);
                } catch (RuntimeException e) {
                    System.err.println("vessel: node " + node.nodeId() + " did not stop cleanly: " + e);
                }
            }, "vessel-stop-" + node.nodeId());
            thread.start();
            stopping.add(thread);
        }
        for (Thread thread : stopping) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    List<VesselNode> nodes() {
        return List.copyOf(nodes);
    }

    @Override
    public void close() {
        // every node deregisters while every quorum member still runs, all at once, and only then do the members
        // stop: one node after another, the last ones would deregister from a quorum that had lost its majority,
        // every write waiting out its retries (QuorumTlsVerbsTest, 3 nodes, start and tests included: 354 s so)
        stopAll(VesselNode::closeAllButQuorumMember);
        stopAll(VesselNode::close);
        if (zooKeeper != null) {
            zooKeeper.close();
        }
    }
}
