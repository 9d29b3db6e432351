package dev.vessel.protocol.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the CLI writes is exactly what the node reads, and the node reads nothing it does not know. */
class AdminJsonTest {
    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyRequestReadsBackAsItWasWritten() throws Exception {
        List<Object> requests = List.of(
                new StartUpload(5_000_000, 4 << 20, List.of("a".repeat(64), "b".repeat(64))),
                new CreateRelease(List.of(new ArtifactRef("c".repeat(64), "greeter-1.1.0.jar")), null, true, false,
                        "ada"),
                new DeploymentChange("deploy", "1.1.0", 10, "zone=eu", 4L, null, "ada", 16),
                new ConfigurationChange(Map.of("greeting", Map.of("salutation", "Hi", "emphasis", 2)),
                        List.of(new ConfigurationTarget("greeting", "[1.1,2)", null, Map.of("style", "upper"))),
                        null, 3L, "warmer", "ada").asDryRun().withSecrets(Map.of("greeting", List.of("apiKey"))));
        for (Object request : requests) {
            assertThat(AdminJson.read(AdminJson.write(request), request.getClass())).isEqualTo(request);
        }
    }

    @Test
    void theFieldNamesAreTheOnesTheAdminApiDocuments() {
        assertThat(new String(AdminJson.write(new DeploymentChange("rollback", null, null, null, 7L, 5L, "ada")),
                StandardCharsets.UTF_8)).isEqualTo("{\"action\":\"rollback\",\"version\":null,\"weight\":null,"
                        + "\"nodes\":null,\"expectedRevision\":7,\"toRevision\":5,\"by\":\"ada\",\"maxConcurrency\":null}");
        assertThat(new String(AdminJson.write(new StartUpload(10, 1024, List.of())), StandardCharsets.UTF_8))
                .isEqualTo("{\"size\":10,\"chunkSize\":1024,\"digests\":[]}");
    }

    @Test
    void anUnknownFieldOrTrailingContentIsRefusedNeverIgnored() {
        assertThatThrownBy(() -> AdminJson.read(json("{\"action\":\"deploy\",\"wieght\":10}"), DeploymentChange.class))
                .hasMessageContaining("wieght");
        assertThatThrownBy(() -> AdminJson.read(json("{\"size\":1,\"chunkSize\":1,\"digests\":[]} {}"),
                StartUpload.class)).hasMessageContaining("Trailing token");
    }

    @Test
    void missingNumbersAndFlagsAreZeroAndFalse() throws Exception {
        CreateRelease release = AdminJson.read(json("{\"artifacts\":[]}"), CreateRelease.class);
        assertThat(release.force()).isFalse();
        assertThat(release.dryRun()).isFalse();
        assertThat(release.service()).isNull();
        DeploymentChange change = AdminJson.read(json("{\"action\":\"promote\"}"), DeploymentChange.class);
        assertThat(change.weight()).isNull();
    }

    /** Stands for a registry record an answer carries (a manifest, a desired state, a revision). */
    record Carried(String service, long revision) {}

    @Test
    void everyAnswerReadsBackAsTheNodeWroteItWithTheRecordsItCarries() throws Exception {
        Carried one = new Carried("greeter", 3);
        Carried two = new Carried("greeter", 4);
        assertThat(AdminJson.readAnswer(AdminJson.write(new AdminAnswers.ReleaseCreated<>(one, true, false)),
                AdminAnswers.ReleaseCreated.class, Carried.class))
                .isEqualTo(new AdminAnswers.ReleaseCreated<>(one, true, false));
        assertThat(AdminJson.readAnswer(AdminJson.write(new AdminAnswers.Instances<>(List.of(one, two))),
                AdminAnswers.Instances.class, Carried.class).instances()).containsExactly(one, two);
        assertThat(AdminJson.readAnswer(AdminJson.write(new AdminAnswers.Rollout<>(one, two)),
                AdminAnswers.Rollout.class, Carried.class, Carried.class))
                .isEqualTo(new AdminAnswers.Rollout<>(one, two));
        assertThat(AdminJson.readAnswer(AdminJson.write(new AdminAnswers.UploadStatus(false, List.of(0, 2))),
                AdminAnswers.UploadStatus.class)).isEqualTo(new AdminAnswers.UploadStatus(false, List.of(0, 2)));
    }

    @Test
    void answersKeepTheirDocumentedShape() {
        assertThat(new String(AdminJson.write(new AdminAnswers.ConfigurationChanged<>(null, "r")),
                StandardCharsets.UTF_8)).isEqualTo("{\"configuration\":\"r\"}");
        assertThat(new String(AdminJson.write(new AdminAnswers.ConfigurationChanged<>(true, "r")),
                StandardCharsets.UTF_8)).isEqualTo("{\"dryRun\":true,\"configuration\":\"r\"}");
        assertThat(new String(AdminJson.write(new AdminAnswers.ChunkStored(3, false, true)), StandardCharsets.UTF_8))
                .isEqualTo("{\"chunk\":3,\"complete\":false,\"changed\":true}");
    }

    @Test
    void anAnswerWithFieldsThisSideDoesNotKnowIsStillRead() throws Exception {
        assertThat(AdminJson.readAnswer(json("{\"complete\":true,\"missing\":[],\"resumedFrom\":\"n2\"}"),
                AdminAnswers.UploadStatus.class)).isEqualTo(new AdminAnswers.UploadStatus(true, List.of()));
    }
}
