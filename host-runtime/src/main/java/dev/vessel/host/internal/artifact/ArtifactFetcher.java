package dev.vessel.host.internal.artifact;

import dev.vessel.registry.ArtifactHolders;
import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.NodeRecord;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Gets an artifact this node lacks from a node that holds it ({@code GET /v1/admin/artifacts/{sha256}}), trying
 * the holders in turn; the store verifies the digest, so a bad copy is never kept. Whole-file transfer: chunked
 * peer-to-peer distribution replaces this later.
 */
public final class ArtifactFetcher {
    private final ArtifactStore store;
    private final ArtifactHolders holders;
    private final ClusterReader cluster;
    private final String selfId;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ArtifactFetcher(ArtifactStore store, ArtifactHolders holders, ClusterReader cluster, String selfId,
            String token) {
        this.store = store;
        this.holders = holders;
        this.cluster = cluster;
        this.selfId = selfId;
        this.token = token;
    }

    /**
     * Makes sure {@code sha256} is in the local store.
     *
     * @throws IOException naming every holder tried and why it failed, if none delivered the artifact
     */
    public void ensure(String sha256) throws IOException, InterruptedException {
        if (store.has(sha256)) {
            return;
        }
        Map<String, NodeRecord> nodes = cluster.nodes().stream()
                .collect(Collectors.toMap(NodeRecord::id, Function.identity()));
        List<String> failures = new ArrayList<>();
        for (String holder : holders.holders(sha256)) {
            NodeRecord node = nodes.get(holder);
            if (holder.equals(selfId) || node == null) {
                continue;
            }
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(
                                URI.create(node.url() + "/v1/admin/artifacts/" + sha256))
                                .header("Authorization", "Bearer " + token)
                                .timeout(Duration.ofMinutes(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    if (response.statusCode() != 200) {
                        failures.add(holder + ": HTTP " + response.statusCode());
                        continue;
                    }
                    store.put(sha256, body);
                    return;
                }
            } catch (ArtifactStore.Rejected e) {
                failures.add(holder + ": " + e.getMessage());
            } catch (IOException e) {
                failures.add(holder + ": " + e);
            }
        }
        throw new IOException("artifact " + sha256 + " could not be fetched"
                + (failures.isEmpty() ? ": no other node holds it" : ": " + String.join("; ", failures)));
    }
}
