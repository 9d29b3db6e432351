package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rollout record and the desired state it changes, written in one ZooKeeper transaction in a real ZooKeeper:
 * both or neither, each conditional on the version it was read at.
 */
class RolloutStoreTest extends RegistryTestBase {
    private static RolloutRecord starting(long now) {
        return new RolloutRecord("greeter", "1.1.0", "1.0.0", "steps:\n  - weight: 100\n", "rule.yaml",
                RolloutRecord.Phase.STARTING, 0, 0, now, 0, 0, false, "ada", null, List.of(), List.of());
    }

    @Test
    void aStepWritesTheRolloutAndTheDesiredStateTogether() {
        DeploymentStore deployments = new DeploymentStore(node);
        deployments.update("greeter", -1, d -> d.next(List.of(new DeployedVersion("1.0.0", 100, "*")), "deploy", "ada"));
        RolloutStore rollouts = new RolloutStore(node);
        RolloutStore.Written started = rollouts.write(null, starting(1), d -> d.next(List.of(
                new DeployedVersion("1.0.0", 100, "*"), new DeployedVersion("1.1.0", 10, "*")), "canary", "ada"));
        assertThat(started.deployment().revision()).isEqualTo(2);

        RolloutStore elsewhere = new RolloutStore(reader);
        assertThat(elsewhere.read("greeter")).hasValueSatisfying(s -> assertThat(s.record().phase())
                .isEqualTo(RolloutRecord.Phase.STARTING));
        assertThat(new DeploymentStore(reader).read("greeter").version("1.1.0")).isPresent();
        assertThat(elsewhere.services()).containsExactly("greeter");

        // a rollback withdraws the release in the same transaction
        RolloutRecord rolledBack = started.rollout().record().withPhase(RolloutRecord.Phase.ROLLED_BACK, 2, "bad");
        RolloutStore.Written back = rollouts.write(rollouts.read("greeter").orElseThrow(), rolledBack,
                d -> d.next(List.of(new DeployedVersion("1.0.0", 100, "*")), "rolled back", "driver",
                        List.of("1.1.0")));
        assertThat(back.deployment().withdrawn()).containsExactly("1.1.0");
        assertThat(new DeploymentStore(reader).read("greeter").withdrawn()).containsExactly("1.1.0");
        assertThat(elsewhere.read("greeter").orElseThrow().record().phase()).isEqualTo(RolloutRecord.Phase.ROLLED_BACK);
    }

    @Test
    void aDecisionOnAStaleReadOfEitherRecordWritesNeither() {
        DeploymentStore deployments = new DeploymentStore(node);
        deployments.update("greeter", -1, d -> d.next(List.of(new DeployedVersion("1.0.0", 100, "*")), "deploy", "ada"));
        RolloutStore rollouts = new RolloutStore(node);
        rollouts.write(null, starting(1), null);
        RolloutStore.Stored read = rollouts.read("greeter").orElseThrow();

        // another writer moved the rollout on: the stale decision changes nothing, the desired state included
        rollouts.write(read, read.record().atStep(0, 5), null);
        assertThatThrownBy(() -> rollouts.write(read, read.record().atStep(1, 6), d -> d.next(List.of(
                new DeployedVersion("1.0.0", 100, "*"), new DeployedVersion("1.1.0", 50, "*")), "step 2", "driver")))
                .isInstanceOf(RolloutConflictException.class);
        assertThat(deployments.read("greeter").revision()).isEqualTo(1);

        // the desired state changed by someone else: the rollout record is not written either
        RolloutStore.Stored current = rollouts.read("greeter").orElseThrow();
        assertThatThrownBy(() -> rollouts.write(current, current.record().atStep(1, 7), d -> {
            deployments.update("greeter", -1, other -> other.next(other.versions(), "someone else", "grace"));
            return d.next(d.versions(), "step 2", "driver");
        })).isInstanceOf(RolloutConflictException.class);
        assertThat(rollouts.read("greeter").orElseThrow().record().step()).isZero();
        assertThat(deployments.read("greeter").history()).extracting(DeploymentRevision::action)
                .containsExactly("deploy", "someone else");
    }
}
