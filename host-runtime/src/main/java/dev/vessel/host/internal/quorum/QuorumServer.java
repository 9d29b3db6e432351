package dev.vessel.host.internal.quorum;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import dev.vessel.host.NodeConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;
import org.apache.zookeeper.server.quorum.QuorumPeerMain;
import org.apache.zookeeper.util.ServiceUtils;

/**
 * One ZooKeeper quorum member inside this process, run by ZooKeeper's own {@link QuorumPeerMain} with dynamic
 * reconfiguration enabled and {@code standaloneEnabled=false}, so even a one-member quorum can grow.
 *
 * <p>Its directory holds {@code zoo.cfg}, the dynamic membership file ZooKeeper rewrites on every
 * {@code reconfig}, and the data. A restart reuses what is there, so a member rejoins with its data and the
 * membership it last saw; only a directory without {@code zoo.cfg} is given the initial membership.
 */
public final class QuorumServer implements Closeable {
    /** ZooKeeper reads this system property once per process, when its digest provider loads. */
    static final String SUPER_DIGEST_PROPERTY = "zookeeper.DigestAuthenticationProvider.superDigest";
    /** Timing of the quorum: a follower notices a dead leader after syncLimit x tickTime = 2 s. */
    static final int TICK_MILLIS = 500;

    private final QuorumMember self;
    private final Peer peer;
    private final Thread thread;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** Members running in this process; ZooKeeper keeps some of their settings in static fields. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** QuorumPeerMain with a way to see its peer. */
    private static final class Peer extends QuorumPeerMain {
        org.apache.zookeeper.server.quorum.QuorumPeer peer() {
            return quorumPeer;
        }
    }

    private QuorumServer(QuorumMember self, QuorumPeerConfig config) {
        this.self = self;
        this.peer = new Peer();
        this.thread = new Thread(() -> run(config), "vessel-quorum-" + self.id());
        thread.setDaemon(true);
    }

    /**
     * Starts the member {@code self} in {@code dir}.
     *
     * @param initial     the membership to start from when {@code dir} has none yet: the current ensemble and
     *                    {@code self} (as an observer to join a running quorum, or alone to found one)
     * @param superDigest the {@code super:<digest>} identity that may reconfigure the quorum
     */
    public static QuorumServer start(Path dir, QuorumMember self, Collection<QuorumMember> initial, String superDigest,
            String peerPassword) {
        return start(dir, self, initial, superDigest, peerPassword, null);
    }

    /**
     * Like {@link #start(Path, QuorumMember, Collection, String, String)}; with {@code tls}, peers talk TLS only
     * (mutual: each presents the key store's certificate and checks the other's against the trust store) and
     * the client port takes TLS sessions (see {@link QuorumTls}).
     */
    public static QuorumServer start(Path dir, QuorumMember self, Collection<QuorumMember> initial, String superDigest,
            String peerPassword, NodeConfig.Tls tls) {
        requireNonNull(superDigest, "superDigest cannot be null");
        requireNonNull(peerPassword, "peerPassword cannot be null");
        String existing = System.getProperty(SUPER_DIGEST_PROPERTY);
        if (existing == null) {
            System.setProperty(SUPER_DIGEST_PROPERTY, superDigest);
        } else if (!existing.equals(superDigest)) {
            throw new IllegalStateException("this process already runs ZooKeeper with another super identity; one"
                    + " process can host members of one quorum only");
        }
        // ZooKeeper asks for System.exit on some fatal errors: the node decides that, not the quorum member
        ServiceUtils.setSystemExitProcedure(ServiceUtils.LOG_ONLY);
        Path config = dir.resolve("zoo.cfg");
        try {
            Files.createDirectories(dir.resolve("data"));
            PeerAuthentication.install(peerPassword);
            if (!Files.exists(config)) {
                writeInitial(dir, self, initial);
            }
            // every start: the stores may have been replaced (vessel up --tls makes new ones) or TLS turned on
            QuorumTls.configure(dir, config, tls);
            QuorumPeerConfig parsed = new QuorumPeerConfig();
            parsed.parse(config.toString());
            if (parsed.getServerId() != self.id()) {
                throw new IllegalStateException(dir + " belongs to ZooKeeper server " + parsed.getServerId()
                        + ", not " + self.id());
            }
            QuorumServer server = new QuorumServer(self, parsed);
            RUNNING.incrementAndGet();
            server.thread.start();
            return server;
        } catch (IOException | QuorumPeerConfig.ConfigException e) {
            throw new IllegalStateException("ZooKeeper server " + self.id() + " cannot start in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private void run(QuorumPeerConfig config) {
        try {
            peer.runFromConfig(config);
            ended.complete(null);
        } catch (Exception | Error e) {
            ended.completeExceptionally(e);
        }
    }

    private static void writeInitial(Path dir, QuorumMember self, Collection<QuorumMember> initial) throws IOException {
        Path data = dir.resolve("data");
        Files.writeString(data.resolve("myid"), Long.toString(self.id()), StandardCharsets.US_ASCII);
        StringBuilder members = new StringBuilder();
        for (QuorumMember member : initial) {
            members.append(member.line()).append('\n');
        }
        Files.writeString(dir.resolve("zoo.cfg.dynamic"), members, StandardCharsets.US_ASCII);
        String config = "tickTime=" + TICK_MILLIS + "\n"
                + "initLimit=20\n"
                + "syncLimit=4\n"
                + "dataDir=" + data.toAbsolutePath() + "\n"
                + "dynamicConfigFile=" + dir.resolve("zoo.cfg.dynamic").toAbsolutePath() + "\n"
                + "reconfigEnabled=true\n"
                + "standaloneEnabled=false\n"
                + "maxSessionTimeout=60000\n"
                + "admin.enableServer=false\n"
                // no `conf`: it tells anyone on the client port the data directory and every setting
                + "4lw.commands.whitelist=srvr,mntr,ruok\n"
                // peers authenticate each other (SASL DIGEST-MD5): a server without the cluster's peer password
                // can neither follow (and so read everything) nor take part in elections
                + "quorum.auth.enableSasl=true\n"
                + "quorum.auth.learnerRequireSasl=true\n"
                + "quorum.auth.serverRequireSasl=true\n"
                + "quorum.auth.learner.saslLoginContext=" + PeerAuthentication.LEARNER + "\n"
                + "quorum.auth.server.saslLoginContext=" + PeerAuthentication.SERVER + "\n"
                + "autopurge.snapRetainCount=3\n"
                + "autopurge.purgeInterval=1\n";
        Files.writeString(dir.resolve("zoo.cfg"), config, StandardCharsets.US_ASCII);
    }

    public QuorumMember self() {
        return self;
    }

    /** Whether the member's thread still runs (it ends when the server stops or fails). */
    public boolean running() {
        return thread.isAlive() && !ended.isDone();
    }

    @Override
    public void close() {
        peer.close();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closed.compareAndSet(false, true) && RUNNING.decrementAndGet() == 0) {
            // process-wide in ZooKeeper: put them back for any standalone server this process starts later
            QuorumPeerConfig.setStandaloneEnabled(true);
            QuorumPeerConfig.setReconfigEnabled(false);
            QuorumTls.clearProcessSettings();
        }
    }
}
