package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

/** Which properties of a revision a container gets: the most specific entry that applies, whole. */
class ConfigurationRevisionTest {
    private static final String PID = "greeting";
    private static final NodeRecord EDGE = new NodeRecord("n1", "127.0.0.1", 1, "z", Map.of("tier", "edge"), 0, 0);
    private static final NodeRecord CORE = new NodeRecord("n2", "127.0.0.1", 1, "z", Map.of("tier", "core"), 0, 0);
    private static final Version V1 = Version.parseVersion("1.0.0");
    private static final Version V12 = Version.parseVersion("1.2.0");

    private static ConfigurationRevision revision(ConfigurationRevision.Target... targets) {
        return new ConfigurationRevision("greeter", 1, 0, Map.of(PID, Map.of("salutation", "base")), "ada", 1, "",
                List.of(targets));
    }

    private static Object salutation(ConfigurationRevision revision, Version version, NodeRecord node) {
        return revision.effectiveFor(version, node).get(PID).get("salutation");
    }

    @Test
    void rangeAndNodesThenNodesThenRangeThenTheUntargetedProperties() {
        ConfigurationRevision revision = revision(
                new ConfigurationRevision.Target(PID, "[1.2,2)", "tier=edge", Map.of("salutation", "both")),
                new ConfigurationRevision.Target(PID, null, "tier=edge", Map.of("salutation", "nodes")),
                new ConfigurationRevision.Target(PID, "[1.2,2)", null, Map.of("salutation", "range")));
        assertThat(salutation(revision, V12, EDGE)).isEqualTo("both");
        assertThat(salutation(revision, V1, EDGE)).isEqualTo("nodes");
        assertThat(salutation(revision, V12, CORE)).isEqualTo("range");
        assertThat(salutation(revision, V1, CORE)).isEqualTo("base");
    }

    @Test
    void theWinnerIsTakenWholeAndOfEquallySpecificEntriesTheLaterOne() {
        ConfigurationRevision revision = revision(
                new ConfigurationRevision.Target(PID, null, "n1", Map.of("salutation", "first", "emphasis", 3)),
                new ConfigurationRevision.Target(PID, null, "tier=edge", Map.of("salutation", "second")));
        assertThat(revision.effectiveFor(V1, EDGE).get(PID)).isEqualTo(Map.of("salutation", "second"));
        // a target for a PID with no untargeted properties reaches only the containers it names
        ConfigurationRevision only = new ConfigurationRevision("greeter", 1, 0, Map.of(), "ada", 1, "", List.of(
                new ConfigurationRevision.Target("other", "[1,2)", null, Map.of("x", 1))));
        assertThat(only.effectiveFor(V1, CORE)).containsOnlyKeys("other");
        assertThat(only.effectiveFor(Version.parseVersion("2.0.0"), CORE)).isEmpty();
    }

    @Test
    void aTargetNamesSomethingAndAValidRange() {
        assertThatThrownBy(() -> new ConfigurationRevision.Target(PID, null, null, Map.of()))
                .hasMessageContaining("names a version range, nodes, or both");
        assertThatThrownBy(() -> new ConfigurationRevision.Target(PID, "[2,1", null, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
