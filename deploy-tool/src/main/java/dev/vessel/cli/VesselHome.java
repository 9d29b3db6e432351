package dev.vessel.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * The Vessel home directory ({@code VESSEL_HOME}, else {@code ~/.vessel}): where {@code vessel up} keeps its
 * ZooKeeper data and node storage and records the running cluster, so every other verb on this machine finds it
 * without {@code --zk}.
 */
final class VesselHome {
    static final String TOKEN_FILE = "token";
    static final String CLUSTER_FILE = "cluster.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * What {@code vessel up} records about the cluster it runs; {@code trustStore} and its password only when its
     * nodes serve HTTPS ({@code --tls}), and {@code zkTls} when its ZooKeeper quorum is reached over TLS too.
     */
    record ClusterInfo(String zk, String root, List<NodeAddress> nodes, long pid, long started, String token,
            String trustStore, String trustStorePassword, boolean zkTls) {}

    record NodeAddress(String id, String url) {}

    private final Path dir;

    private VesselHome(Path dir) {
        this.dir = dir;
    }

    /** {@code -Dvessel.home}, else {@code VESSEL_HOME}, else {@code ~/.vessel}. */
    static VesselHome resolve() {
        String configured = System.getProperty("vessel.home", System.getenv("VESSEL_HOME"));
        Path dir = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".vessel");
        return new VesselHome(dir.toAbsolutePath());
    }

    Path dir() {
        return dir;
    }

    Path resolve(String first, String... more) {
        return dir.resolve(Path.of(first, more));
    }

    Optional<ClusterInfo> cluster() {
        Path file = dir.resolve(CLUSTER_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), ClusterInfo.class));
        } catch (IOException e) {
            throw new CliException(ExitCode.BAD_INPUT, file + " is unreadable (" + e.getMessage()
                    + "); delete it if no cluster is running");
        }
    }

    /**
     * Creates the home if needed and makes it its owner's alone, whatever the umask: it holds the admin token, the
     * nodes' data and their keys.
     */
    void createOwnerOnly() throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }

    /**
     * The admin token of the cluster this home keeps: made on first use and kept in {@code token} (owner-only),
     * since the registry and node data it keeps are secured with identities derived from it, so a cluster started
     * again in this home (after a stop, a crash or an {@code OutOfMemoryError}) must use the same one.
     */
    String token() {
        Path file = dir.resolve(TOKEN_FILE);
        try {
            createOwnerOnly();
            if (Files.isRegularFile(file)) {
                String token = Files.readString(file).trim();
                if (!token.isEmpty()) {
                    return token;
                }
            }
            String token = LocalCluster.newToken();
            writeOwnerOnly(TOKEN_FILE, token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the cluster token " + file, e);
        }
    }

    void writeCluster(ClusterInfo info) {
        try {
            createOwnerOnly();
            writeOwnerOnly(CLUSTER_FILE, JSON.writeValueAsBytes(info));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CLUSTER_FILE), e);
        }
    }

    /**
     * Writes {@code name} in the home owner-only from the start (both files it keeps hold the admin token), to a
     * temporary file renamed into place, so a reader never sees half of it.
     */
    private void writeOwnerOnly(String name, byte[] content) throws IOException {
        Path temp = Files.createTempFile(dir, name, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, content);
        try {
            Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void deleteCluster() {
        try {
            Files.deleteIfExists(dir.resolve(CLUSTER_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir.resolve(CLUSTER_FILE), e);
        }
    }
}
