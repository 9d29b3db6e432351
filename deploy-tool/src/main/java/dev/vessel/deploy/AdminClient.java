package dev.vessel.deploy;

import dev.vessel.registry.Convergence;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.protocol.ErrorBody;
import dev.vessel.protocol.admin.AdminAnswers;
import dev.vessel.protocol.ErrorCode;
import dev.vessel.protocol.admin.AdminJson;
import dev.vessel.protocol.admin.ArtifactRef;
import dev.vessel.protocol.admin.ConfigurationChange;
import dev.vessel.protocol.admin.CreateRelease;
import dev.vessel.protocol.admin.DeploymentChange;
import dev.vessel.protocol.admin.StartUpload;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.ChunkList;
import dev.vessel.registry.Deployment;
import dev.vessel.registry.ReleaseManifest;
import dev.vessel.registry.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;

/**
 * Talks to one node's admin API ({@code /v1/admin/...}) with the cluster's bearer token, one
 * {@code HttpURLConnection} per request (the JDK keeps the connection alive between them). Not the JDK's
 * {@code HttpClient}: a command that makes a few requests and exits pays for its start and, at exit, waits about
 * 300 ms for its selector thread, which the JVM finds in native code.
 */
public final class AdminClient {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 5 * 60_000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final URI node;
    private final String token;
    private final javax.net.ssl.SSLContext tls;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;

    public AdminClient(URI node, String token) {
        this(node, token, null);
    }

    /**
     * @param tls for an {@code https} node: the context whose trust its certificate must pass (see
     *            {@link dev.vessel.registry.TlsTrust#context}); null for the JDK's default authorities
     */
    public AdminClient(URI node, String token, javax.net.ssl.SSLContext tls) {
        this(node, token, tls, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
    }

    /**
     * For quick reads that move on to another node, or to ZooKeeper, when this one is slow: connecting and every
     * read of the answer wait at most {@code timeout}.
     */
    public AdminClient(URI node, String token, javax.net.ssl.SSLContext tls, java.time.Duration timeout) {
        this(node, token, tls, (int) timeout.toMillis(), (int) timeout.toMillis());
    }

    private AdminClient(URI node, String token, javax.net.ssl.SSLContext tls, int connectTimeoutMillis,
            int readTimeoutMillis) {
        this.node = requireNonNull(node, "node cannot be null");
        this.token = requireNonNull(token, "token cannot be null");
        this.tls = tls;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    public URI node() {
        return node;
    }

    /** Default chunk size of uploads: the unit of resumption and of peer-to-peer distribution. */
    public static final int DEFAULT_CHUNK_SIZE = 4 << 20;

    /**
     * A jar as uploaded.
     *
     * @param sha256     its digest, its name in every node's store
     * @param fileName   the name it had here
     * @param size       bytes
     * @param chunksSent chunks this upload sent; fewer than the total when the node had some (or all) already
     * @param chunks     how many chunks the jar has
     */
    public record Uploaded(String sha256, String fileName, long size, int chunksSent, int chunks) {}

    /** Told after every chunk sent: chunks sent so far and how many this upload will send in all. */
    public interface UploadProgress {
        void sent(String fileName, int sent, int toSend, long bytesSent);
    }

    public Uploaded upload(Path jar) {
        return upload(jar, DEFAULT_CHUNK_SIZE, (name, sent, toSend, bytes) -> { });
    }

    /**
     * Streams {@code jar} to the node chunk by chunk. The node says which chunks it lacks, so an upload that was
     * interrupted resumes with only the missing ones, and content the node holds already is not sent at all.
     */
    public Uploaded upload(Path jar, int chunkSize, UploadProgress progress) {
        String name = jar.getFileName().toString();
        try {
            String sha256 = Sha256.of(jar);
            long size = Files.size(jar);
            ChunkList chunks = ChunkList.compute(jar, chunkSize);
            AdminAnswers.UploadStatus status = post("artifacts/" + sha256 + "/upload", new StartUpload(size,
                    chunkSize, chunks.digests()), AdminAnswers.UploadStatus.class);
            List<Integer> missing = status.missing();
            long bytes = 0;
            try (FileChannel file = FileChannel.open(jar, StandardOpenOption.READ)) {
                for (int i = 0; i < missing.size(); i++) {
                    int chunk = missing.get(i);
                    ByteBuffer buffer = ByteBuffer.allocate(chunks.length(chunk, size));
                    while (buffer.hasRemaining()) {
                        if (file.read(buffer, chunks.offset(chunk) + buffer.position()) < 0) {
                            throw new IOException(name + " changed while it was being uploaded");
                        }
                    }
                    send("PUT", "artifacts/" + sha256 + "/chunks/" + chunk, "application/octet-stream",
                            buffer.array());
                    bytes += buffer.capacity();
                    progress.sent(name, i + 1, missing.size(), bytes);
                }
            }
            return new Uploaded(sha256, name, size, missing.size(), chunks.count());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload " + jar + " to " + node + ": " + e.getMessage(), e);
        }
    }

    /** Validates the uploaded jars as a release and, unless {@code dryRun}, stores its manifest. */
    public ReleaseManifest createRelease(List<Uploaded> jars, String service, boolean force, boolean dryRun,
            String by) {
        AdminAnswers.ReleaseCreated<ReleaseManifest> answer = post("releases", new CreateRelease(jars.stream()
                .map(j -> new ArtifactRef(j.sha256(), j.fileName())).toList(), service, force, dryRun, by),
                AdminAnswers.ReleaseCreated.class, ReleaseManifest.class);
        return answer.release();
    }

    public Deployment change(String service, DeploymentChange change) {
        AdminAnswers.DeploymentChanged<Deployment> answer = post("deployments/" + service, change,
                AdminAnswers.DeploymentChanged.class, Deployment.class);
        return answer.deployment();
    }

    /** Writes a new configuration revision of {@code service} (or, with {@code dryRun}, shows what it would be). */
    public ConfigurationRevision configure(String service, ConfigurationChange change) {
        AdminAnswers.ConfigurationChanged<ConfigurationRevision> answer = post("configurations/" + service, change,
                AdminAnswers.ConfigurationChanged.class, ConfigurationRevision.class);
        return answer.configuration();
    }

    /**
     * Re-founds the quorum from this node's member after it lost its majority for good ({@code vessel quorum
     * recover}); the node refuses with {@code 409 CONFLICT} while its member serves.
     */
    public AdminAnswers.QuorumRecovered recoverQuorum() {
        return post("quorum/recover", java.util.Map.of(), AdminAnswers.QuorumRecovered.class);
    }

    /** Writes a new revision of {@code service}'s rollout rule (or, with {@code dryRun}, shows what it would be). */
    public dev.vessel.registry.RuleRevision changeRule(String service, dev.vessel.protocol.admin.RuleChange change) {
        AdminAnswers.RuleChanged<dev.vessel.registry.RuleRevision> answer = post("rules/" + service, change,
                AdminAnswers.RuleChanged.class, dev.vessel.registry.RuleRevision.class);
        return answer.rule();
    }

    /** The service's current rollout rule; {@link AdminException} {@code NOT_FOUND} when it has none. */
    public dev.vessel.registry.RuleRevision rule(String service) {
        return get("rules/" + service, dev.vessel.registry.RuleRevision.class);
    }

    /** Every revision of the service's rollout rule, oldest first. */
    public List<dev.vessel.registry.RuleRevision> ruleHistory(String service) {
        AdminAnswers.RuleHistory<dev.vessel.registry.RuleRevision> answer = get("rules/" + service + "/history",
                AdminAnswers.RuleHistory.class, dev.vessel.registry.RuleRevision.class);
        return answer.history();
    }

    /** Starts a release's rollout under a rule (or, with {@code dryRun}, checks it and answers the plan). */
    public AdminAnswers.RolloutStarted<dev.vessel.registry.RolloutRecord> startRollout(String service,
            dev.vessel.protocol.admin.RolloutAction start) {
        return post("rollouts/" + service, start, AdminAnswers.RolloutStarted.class,
                dev.vessel.registry.RolloutRecord.class);
    }

    /** {@code pause}, {@code resume}, {@code promote} or {@code abort} the service's rollout. */
    public dev.vessel.registry.RolloutRecord actOnRollout(String service, String action, String by) {
        return post("rollouts/" + service, dev.vessel.protocol.admin.RolloutAction.act(action, by),
                dev.vessel.registry.RolloutRecord.class);
    }

    /** The service's rollout under a rule, running or the last; {@link AdminException} NOT_FOUND without one. */
    public dev.vessel.registry.RolloutRecord rolloutAnalysis(String service) {
        return get("rollouts/" + service + "/analysis", dev.vessel.registry.RolloutRecord.class);
    }

    /** Stores a release's signature, before the release is created from its uploaded jars. */
    public void putSignature(dev.vessel.registry.ReleaseSignature signature) {
        try {
            send("PUT", "signatures/" + signature.service() + "/" + signature.version(), "application/json",
                    AdminJson.write(signature));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the admin API of " + node + ": " + e.getMessage(), e);
        }
    }

    /** The cluster's trust in release signers, and the deployed releases signed by a revoked key. */
    public AdminAnswers.Trust<dev.vessel.registry.TrustPolicy> trust() {
        return get("trust", AdminAnswers.Trust.class, dev.vessel.registry.TrustPolicy.class);
    }

    /** Changes the cluster's trust in release signers (admins only); the policy after the change. */
    public AdminAnswers.Trust<dev.vessel.registry.TrustPolicy> changeTrust(
            dev.vessel.protocol.admin.TrustChange change) {
        return post("trust", change, AdminAnswers.Trust.class, dev.vessel.registry.TrustPolicy.class);
    }

    /** Issues a scoped token: its text (shown once, stored nowhere) and its record. */
    public AdminAnswers.TokenIssued<dev.vessel.registry.AccessToken> issueToken(
            dev.vessel.protocol.admin.TokenRequest request) {
        return post("tokens", request, AdminAnswers.TokenIssued.class, dev.vessel.registry.AccessToken.class);
    }

    /** Every scoped token's record, oldest first. */
    public List<dev.vessel.registry.AccessToken> tokens() {
        AdminAnswers.Tokens<dev.vessel.registry.AccessToken> answer = get("tokens", AdminAnswers.Tokens.class,
                dev.vessel.registry.AccessToken.class);
        return answer.tokens();
    }

    /** Revokes a scoped token; false if there was none with this id. */
    public boolean revokeToken(String id) {
        try {
            return ((AdminAnswers.TokenRevoked) AdminJson.readAnswer(send("DELETE", "tokens/" + id, null, null),
                    AdminAnswers.TokenRevoked.class)).revoked();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the admin API of " + node + ": " + e.getMessage(), e);
        }
    }

    /** The service's desired state with its history ({@code Deployment.empty} when it has none). */
    public Deployment deployment(String service) {
        return get("deployments/" + service, Deployment.class);
    }

    /**
     * How far the cluster is from revision {@code revision} of the service's desired state, as the node reads
     * the registry now, with the service's current desired state.
     */
    public AdminAnswers.Rollout<Deployment, Convergence> rollout(String service, long revision) {
        return get("rollouts/" + service + "?revision=" + revision, AdminAnswers.Rollout.class, Deployment.class,
                Convergence.class);
    }

    /** {@code GET /v1/admin/{path}}, its answer read as {@code type} with the records it carries. */
    @SuppressWarnings("unchecked")
    private <T> T get(String path, Class<?> type, Class<?>... carried) {
        try {
            return (T) AdminJson.readAnswer(send("GET", path, null, null), type, carried);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the admin API of " + node + ": " + e.getMessage(), e);
        }
    }

    /** {@code POST /v1/admin/{path}} with {@code body}, its answer read as {@code type}. */
    @SuppressWarnings("unchecked")
    private <T> T post(String path, Object body, Class<?> type, Class<?>... carried) {
        try {
            return (T) AdminJson.readAnswer(send("POST", path, "application/json", AdminJson.write(body)), type,
                    carried);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the admin API of " + node + ": " + e.getMessage(), e);
        }
    }

    /**
     * The body of {@code GET /v1/admin/{path}} as the node wrote it.
     *
     * @throws AdminException for an answer that is not a success
     */
    public byte[] read(String path) throws IOException {
        Answer answer = exchange("GET", node.resolve("/v1/admin/" + path), null, null);
        if (answer.status() >= 300) {
            throw refusal(answer);
        }
        return answer.body();
    }

    /** Whether the node answers at all ({@code GET /v1/health}: ready, or still starting). */
    public boolean answers() {
        try {
            exchange("GET", node.resolve("/v1/health"), null, null);
            return true;
        } catch (IOException unreachable) {
            return false;
        }
    }

    private byte[] send(String method, String path, String contentType, byte[] content) throws IOException {
        Answer answer = exchange(method, node.resolve("/v1/admin/" + path), contentType, content);
        if (answer.status() >= 300) {
            throw refusal(answer);
        }
        return answer.body().length == 0 ? "{}".getBytes(java.nio.charset.StandardCharsets.US_ASCII)
                : answer.body();
    }

    private record Answer(int status, byte[] body) {}

    private static AdminException refusal(Answer answer) throws IOException {
        JsonNode body = answer.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(answer.body());
        ErrorBody error = ErrorBody.from(body);
        return new AdminException(answer.status(), error.error() != null ? error.error() : "HTTP_" + answer.status(),
                error.message() != null ? error.message() : body.toString());
    }

    /** One request, whatever its answer's status. */
    private Answer exchange(String method, URI uri, String contentType, byte[] content) throws IOException {
        try {
            return exchangeConnected(method, uri, contentType, content);
        } catch (java.net.ConnectException | java.net.UnknownHostException | java.net.NoRouteToHostException e) {
            throw new AdminUnreachableException(node, e); // before anything was sent
        }
    }

    private Answer exchangeConnected(String method, URI uri, String contentType, byte[] content) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        if (connection instanceof HttpsURLConnection https && tls != null) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        connection.setConnectTimeout(connectTimeoutMillis);
        connection.setReadTimeout(readTimeoutMillis);
        connection.setRequestMethod(method);
        connection.setRequestProperty("Authorization", "Bearer " + token);
        if (content != null) {
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(content.length);
            connection.setRequestProperty("Content-Type", contentType);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(content);
            }
        }
        int status;
        try {
            status = connection.getResponseCode();
        } catch (java.net.HttpRetryException unauthenticated) {
            // a 401 to a streamed body: HttpURLConnection will not read it, only report the status
            throw new AdminException(unauthenticated.responseCode(), ErrorCode.UNAUTHORIZED.name(),
                    "admin requests need the header Authorization: Bearer <token>");
        }
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return new Answer(status, in == null ? new byte[0] : in.readAllBytes());
        }
    }
}
