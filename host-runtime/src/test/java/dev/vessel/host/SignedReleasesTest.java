package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.jar;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.ReleaseSignature;
import dev.vessel.registry.Sha256;
import dev.vessel.registry.SigningKeys;
import dev.vessel.registry.TrustPolicy;
import dev.vessel.registry.TrustStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases under the cluster's signature policy: where signatures are required, an unsigned release is refused by
 * the admin API and, written into the registry around it, by the node that would run it; a key signs only its
 * services; a revoked key signs nothing new while a second key takes over; where they are not, nothing changes.
 */
class SignedReleasesTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    private TestingServer zk;
    private VesselNode node;
    private RegistryConnection registry;
    private DesiredState desired;
    private TrustStore trust;
    private final KeyPair first = SigningKeys.generate();
    private final KeyPair second = SigningKeys.generate();

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        node = VesselNode.start(config(zk.getConnectString(), data).build());
        registry = RegistryConnection.connect(zk.getConnectString());
        desired = new DesiredState(registry, ADMIN_TOKEN);
        trust = new TrustStore(registry);
        trust.update(policy -> policy.withKey(trusted(first, "greeter*")).withMode("greeter",
                TrustPolicy.Mode.REQUIRE));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        registry.close();
        zk.close();
    }

    @Test
    void aReleaseRecordWrittenAroundTheAdminApiWithoutASignatureIsRefusedByTheNode() throws Exception {
        ContainerInfo forged = desired.deploy(node, release("greeter-1.0.0"));
        assertThat(forged.state()).isEqualTo(InstanceState.FAILED);
        assertThat(forged.error()).contains("refused by the cluster's signature policy (require)")
                .contains("greeter 1.0.0 is not signed");

        trust.putSignature(sign(first, "greeter", "1.1.0", "greeter-1.1.0"));
        assertThat(desired.deploy(node, release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void theAdminApiRefusesAnUnsignedOrMisSignedReleaseAndStoresNothing() throws Exception {
        String sha = upload("greeter-2.0.0");
        HttpResponse<String> unsigned = createRelease(sha, "greeter-2.0.0.jar");
        assertThat(unsigned.statusCode()).as(unsigned.body()).isEqualTo(422);
        assertThat(unsigned.body()).contains("SIGNATURE_REFUSED").contains("greeter 2.0.0 is not signed")
                .contains("Nothing was stored");

        // signed by a key the cluster does not trust
        ReleaseSignature stranger = sign(SigningKeys.generate(), "greeter", "2.0.0", "greeter-2.0.0");
        HttpResponse<String> stored = putSignature(stranger);
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        assertThat(createRelease(sha, "greeter-2.0.0.jar").body()).contains("which the cluster does not trust");
        assertThat(new dev.vessel.registry.ReleaseStore(registry).get("greeter", "2.0.0")).isEmpty();
    }

    @Test
    void aRevokedKeySignsNothingNewAndASecondKeyTakesOver() throws Exception {
        trust.putSignature(sign(first, "greeter", "1.1.0", "greeter-1.1.0"));
        assertThat(desired.deploy(node, release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);

        String firstId = SigningKeys.id(first.getPublic());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dashboard()
                .contains("\"signer\":\"" + firstId + "\""));

        // rotation: the second key is trusted beside the first, then the first is revoked
        trust.update(policy -> policy.withKey(trusted(second, "greeter*")));
        trust.update(policy -> policy.withRevoked(firstId, System.currentTimeMillis()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dashboard()
                .contains("\"signer\":\"" + firstId + " (revoked)\""));
        HttpResponse<String> reported = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/admin/trust"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reported.body()).as("reported where it runs").contains("greeter 1.1.0 (signed by revoked key "
                + firstId + ")");

        String sha = upload("greeter-2.0.0");
        putSignature(sign(first, "greeter", "2.0.0", "greeter-2.0.0"));
        HttpResponse<String> byRevoked = createRelease(sha, "greeter-2.0.0.jar");
        assertThat(byRevoked.statusCode()).isEqualTo(422);
        assertThat(byRevoked.body()).contains("which was revoked");
        assertThat(node.containers()).filteredOn(c -> c.id().equals("greeter-1.1.0")).singleElement()
                .satisfies(c -> assertThat(c.state()).as("a release already running goes on").isEqualTo(
                        InstanceState.ACTIVE));

        // what the second key signs runs, on a node that checks it itself
        trust.putSignature(sign(second, "greeter", "1.0.0", "greeter-1.0.0"));
        assertThat(desired.deploy(node, release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
    }

    @Test
    void aKeySignsOnlyItsServicesAndServicesWithoutRequireAreUnchanged() throws Exception {
        trust.update(policy -> policy.withMode("billing", TrustPolicy.Mode.REQUIRE));
        Path jar = jar("greeter-1.1.0");
        ReleaseSignature signature = ReleaseSignature.sign("billing", "1.1.0", List.of(Sha256.of(jar)),
                first.getPrivate(), SigningKeys.id(first.getPublic()));
        TrustPolicy.Verdict verdict = trust.policy().check(manifest("billing", "1.1.0", jar), java.util.Optional.of(
                signature));
        assertThat(verdict.refused()).isTrue();
        assertThat(verdict.problem()).contains("signs services matching 'greeter*', not 'billing'");

        // greeter is require, every other service keeps the default, warn: an unsigned release runs
        assertThat(trust.policy().mode("sleeper")).isEqualTo(TrustPolicy.Mode.WARN);
        assertThat(desired.deploy(node, release("sleeper")).state()).isEqualTo(InstanceState.ACTIVE);
    }

    private static TrustPolicy.TrustedKey trusted(KeyPair key, String services) {
        return new TrustPolicy.TrustedKey(SigningKeys.id(key.getPublic()), SigningKeys.encode(key.getPublic()),
                services, "test", System.currentTimeMillis(), null);
    }

    private static ReleaseSignature sign(KeyPair key, String service, String version, String jarName)
            throws Exception {
        return ReleaseSignature.sign(service, version, List.of(Sha256.of(jar(jarName))), key.getPrivate(),
                SigningKeys.id(key.getPublic()));
    }

    private static dev.vessel.registry.ReleaseManifest manifest(String service, String version, Path jar)
            throws Exception {
        return new dev.vessel.registry.ReleaseManifest(service, version, "primary", List.of(
                DesiredState.bundleRef(jar)), List.of(), "", false, "test", 0);
    }

    private String dashboard() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/admin/dashboard"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private String upload(String name) throws Exception {
        Path jar = jar(name);
        String sha = Sha256.of(jar);
        HttpResponse<String> stored = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/admin/artifacts/"
                        + sha)).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .PUT(HttpRequest.BodyPublishers.ofFile(jar)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stored.statusCode()).as(stored.body()).isIn(200, 201);
        return sha;
    }

    private HttpResponse<String> putSignature(ReleaseSignature signature) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/admin/signatures/" + signature.service()
                        + "/" + signature.version())).header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new com.fasterxml.jackson.databind.ObjectMapper()
                        .writeValueAsBytes(signature))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> createRelease(String sha, String fileName) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/admin/releases"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"artifacts\":[{\"sha256\":\"" + sha + "\",\"fileName\":\""
                        + fileName + "\"}],\"by\":\"test\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
