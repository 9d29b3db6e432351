package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.registry.internal.RecordJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A deployment record stays far under ZooKeeper's 1 MB znode limit whatever is done to it. */
class DeploymentBoundsTest {
    @Test
    void theHistoryKeepsWithinItsByteBudgetDroppingTheOldestFirst() {
        Deployment deployment = Deployment.empty("greeter");
        List<DeployedVersion> many = new ArrayList<>();
        for (int i = 0; i < Deployment.MAX_VERSIONS; i++) {
            many.add(new DeployedVersion("1." + i + ".0", 100, "zone=" + "z".repeat(400)));
        }
        for (int i = 0; i < 200; i++) {
            deployment = deployment.next(many, "x".repeat(Text.MAX_ACTION), "engineer-" + i);
            assertThat(RecordJson.write(deployment).length).isLessThanOrEqualTo(Deployment.HISTORY_BYTES);
        }
        assertThat(deployment.history()).hasSizeGreaterThanOrEqualTo(1).hasSizeLessThan(Deployment.HISTORY_LIMIT);
        assertThat(deployment.history().get(deployment.history().size() - 1).by()).isEqualTo("engineer-199");
    }

    @Test
    void tooManyVersionsAtOnceIsRefused() {
        List<DeployedVersion> tooMany = new ArrayList<>();
        for (int i = 0; i <= Deployment.MAX_VERSIONS; i++) {
            tooMany.add(new DeployedVersion("1." + i + ".0", 100, "*"));
        }
        assertThatThrownBy(() -> Deployment.empty("greeter").next(tooMany, "deploy", "ada"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 64");
    }

    @Test
    void authorsAndActionsAreBoundedAndCleanedWhateverWroteThem() {
        DeploymentRevision revision = new DeploymentRevision(1, List.of(), "deploy\u001b[2J", null, 0);
        assertThat(revision.by()).isEqualTo("unknown");
        assertThat(revision.action()).isEqualTo("deploy\\u001b[2J");
        assertThat(new DeploymentRevision(1, List.of(), "a", "b".repeat(1000), 0).by()).hasSize(Text.MAX_AUTHOR);
        assertThatThrownBy(() -> new DeployedVersion("1.0.0", 100, "node-1\n"))
                .hasMessageContaining("control character");
    }
}
