package dev.vessel.host;

import dev.vessel.host.internal.fs.OwnerOnly;
import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A real single-server ZooKeeper running inside this process, for one-machine clusters ({@code vessel up}).
 * Data persists in {@code baseDir}, so a restart keeps the registry's persistent state. Binds loopback only.
 */
public final class EmbeddedZooKeeper implements Closeable {
    private final ZooKeeperServerEmbedded server;
    private final String connectString;

    private EmbeddedZooKeeper(ZooKeeperServerEmbedded server, String connectString) {
        this.server = server;
        this.connectString = connectString;
    }

    /**
     * Starts a server on {@code 127.0.0.1:port} and waits until it serves.
     *
     * @throws IllegalStateException if it cannot start (port in use, unwritable directory), with the reason
     */
    public static EmbeddedZooKeeper start(Path baseDir, int port) {
        requireNonNull(baseDir, "baseDir cannot be null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("ZooKeeper port must be 1-65535; got " + port);
        }
        requireFreePort(port);
        Properties config = new Properties();
        config.setProperty("clientPort", Integer.toString(port));
        config.setProperty("clientPortAddress", "127.0.0.1");
        config.setProperty("dataDir", baseDir.resolve("data").toAbsolutePath().toString());
        config.setProperty("tickTime", "2000");
        config.setProperty("admin.enableServer", "false");
        config.setProperty("maxSessionTimeout", "60000");
        // ZooKeeper keeps these two process-wide: a quorum member that ran in this process set them otherwise
        config.setProperty("standaloneEnabled", "true");
        config.setProperty("reconfigEnabled", "false");
        try {
            OwnerOnly.directory(baseDir); // the registry's data: configurations, releases, deployments
            Files.createDirectories(baseDir.resolve("data"));
            ZooKeeperServerEmbedded server = ZooKeeperServerEmbedded.builder()
                    .baseDir(baseDir)
                    .configuration(config)
                    .exitHandler(ExitHandler.LOG_ONLY)
                    .build();
            server.start(30_000);
            return new EmbeddedZooKeeper(server, "127.0.0.1:" + port);
        } catch (Exception e) {
            throw new IllegalStateException("embedded ZooKeeper could not start on 127.0.0.1:" + port + " in "
                    + baseDir + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        }
    }

    /** ZooKeeper reports a taken port only as a start-up timeout, after logging a stack trace: check first. */
    private static void requireFreePort(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on 127.0.0.1 is already in use; choose another port for"
                    + " the embedded ZooKeeper (vessel up --zk-port)", e);
        }
    }

    public String connectString() {
        return connectString;
    }

    @Override
    public void close() {
        server.close();
    }
}
