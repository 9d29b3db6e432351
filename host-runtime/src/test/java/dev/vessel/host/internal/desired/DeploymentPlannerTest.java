package dev.vessel.host.internal.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.Deployment;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeploymentPlannerTest {
    private static DeployedVersion v(String version, int weight) {
        return new DeployedVersion(version, weight, DeployedVersion.ALL_NODES);
    }

    /** A deployment that went through {@code revisions}, each a list of versions. */
    @SafeVarargs
    private static Deployment history(List<DeployedVersion>... revisions) {
        Deployment deployment = Deployment.empty("greeter");
        for (List<DeployedVersion> versions : revisions) {
            deployment = deployment.next(versions, "deploy", "test");
        }
        return deployment;
    }

    private static List<String> versions(List<DeployedVersion> list) {
        return list.stream().map(d -> d.version() + "@" + d.weight()).toList();
    }

    @Test
    void deployAddsAVersionInVersionOrderAndReplacesTheSameVersionWhole() {
        Deployment current = history(List.of(v("1.10.0", 100), v("2.0.0", 100)));
        assertThat(versions(DeploymentPlanner.deploy(current, v("1.9.0", 10))))
                .as("ordered as versions, not as text").containsExactly("1.9.0@10", "1.10.0@100", "2.0.0@100");
        assertThat(versions(DeploymentPlanner.deploy(current, v("2.0.0", 30))))
                .containsExactly("1.10.0@100", "2.0.0@30");
    }

    @Test
    void promoteGivesACanaryTheWholeWeightAndNamesWhatIsDeployedWhenItIsNot() {
        Deployment current = history(List.of(v("1.0.0", 100), v("1.1.0", 10)));
        assertThat(versions(DeploymentPlanner.promote(current, "1.1.0"))).containsExactly("1.0.0@100", "1.1.0@100");
        assertThatThrownBy(() -> DeploymentPlanner.promote(current, "3.0.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("greeter 3.0.0 is not deployed; deployed: [1.0.0, 1.1.0]");
    }

    @Test
    void retireRemovesOneVersionAndReplaceRemovesTheOlderOnesOfItsMajorOnly() {
        Deployment current = history(List.of(v("1.0.0", 100), v("1.1.0", 100), v("1.2.0", 100), v("2.0.0", 100)));
        assertThat(versions(DeploymentPlanner.retire(current, "1.1.0")))
                .containsExactly("1.0.0@100", "1.2.0@100", "2.0.0@100");
        assertThat(versions(DeploymentPlanner.retireOlderOfSameMajor(current, "1.1.0")))
                .as("1.2.0 is newer and 2.0.0 another major: both stay")
                .containsExactly("1.1.0@100", "1.2.0@100", "2.0.0@100");
        assertThatThrownBy(() -> DeploymentPlanner.retire(current, "0.9.0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0.9.0 is not deployed");
    }

    @Test
    void rollbackGoesToThePreviousRevisionOrTheOneNamed() {
        Deployment current = history(List.of(v("1.0.0", 100)), List.of(v("1.0.0", 100), v("1.1.0", 10)),
                List.of(v("1.1.0", 100)));
        assertThat(current.revision()).isEqualTo(3);
        assertThat(versions(DeploymentPlanner.rollback(current, null))).containsExactly("1.0.0@100", "1.1.0@10");
        assertThat(versions(DeploymentPlanner.rollback(current, 1L))).containsExactly("1.0.0@100");
    }

    @Test
    void rollbackRefusesWhatItCannotDo() {
        Deployment first = history(List.of(v("1.0.0", 100)));
        assertThatThrownBy(() -> DeploymentPlanner.rollback(first, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("greeter has no earlier revision to roll back to");
        Deployment second = history(List.of(v("1.0.0", 100)), List.of(v("1.1.0", 100)));
        assertThatThrownBy(() -> DeploymentPlanner.rollback(second, 2L))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("greeter is already at revision 2");
        assertThatThrownBy(() -> DeploymentPlanner.rollback(second, 7L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("greeter has no revision 7 in its history");
    }
}
