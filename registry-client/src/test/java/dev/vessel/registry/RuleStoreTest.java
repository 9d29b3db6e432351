package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Rollout rule revisions in a real ZooKeeper: written once, read back, rolled back as a new revision, conflicts. */
class RuleStoreTest extends RegistryTestBase {
    private static final String TEN_THEN_ALL = "steps:\n  - weight: 10\n    hold: 20s\n  - weight: 100\n";
    private static final String HALF_THEN_ALL = "steps:\n  - weight: 50\n    hold: 20s\n  - weight: 100\n";

    @Test
    void revisionsAreKeptInOrderAndARollbackIsANewRevision() {
        RuleStore rules = new RuleStore(node);
        assertThat(rules.read("greeter")).isEmpty();
        assertThat(rules.history("greeter")).isEmpty();

        RuleRevision first = rules.write("greeter", 0, TEN_THEN_ALL, "ada", "set");
        RuleRevision second = rules.write("greeter", 1, HALF_THEN_ALL, "grace", "set");
        assertThat(first.revision()).isEqualTo(1);
        assertThat(second.revision()).isEqualTo(2);

        RuleStore elsewhere = new RuleStore(reader);
        assertThat(elsewhere.read("greeter")).hasValueSatisfying(r -> {
            assertThat(r.yaml()).isEqualTo(HALF_THEN_ALL);
            assertThat(r.author()).isEqualTo("grace");
        });
        RuleRevision back = rules.rollback("greeter", 1, 2, "ada");
        assertThat(back.revision()).isEqualTo(3);
        assertThat(back.yaml()).isEqualTo(TEN_THEN_ALL);
        assertThat(back.message()).isEqualTo("rollback to revision 1");
        assertThat(elsewhere.history("greeter")).extracting(RuleRevision::revision).containsExactly(1L, 2L, 3L);
        assertThat(elsewhere.read("other")).as("per service").isEmpty();
    }

    @Test
    void aChangeDecidedOnAnOlderRevisionIsRefusedAndWritesNothing() {
        RuleStore rules = new RuleStore(node);
        rules.write("greeter", 0, TEN_THEN_ALL, "ada", "set");
        assertThatThrownBy(() -> rules.write("greeter", 0, HALF_THEN_ALL, "grace", "set"))
                .isInstanceOf(RuleConflictException.class).hasMessageContaining("is at revision 1, not 0");
        assertThatThrownBy(() -> rules.revision("greeter", 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no revision 7 (it is at 1)");
        assertThat(rules.history("greeter")).extracting(RuleRevision::yaml).containsExactly(TEN_THEN_ALL);
    }
}
