package dev.vessel.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

class VersionRangesTest {
    @Test
    void compatibleWithIsTheSameMajorFromTheGivenVersionUp() {
        var range = VersionRanges.compatibleWith("1.1.0");
        assertThat(range.toString()).isEqualTo("[1.1.0,2.0.0)");
        assertThat(range.includes(Version.parseVersion("1.1.0"))).isTrue();
        assertThat(range.includes(Version.parseVersion("1.9.3"))).isTrue();
        assertThat(range.includes(Version.parseVersion("1.0.9"))).isFalse();
        assertThat(range.includes(Version.parseVersion("2.0.0"))).isFalse();
    }

    @Test
    void parseAcceptsOsgiSyntaxAndExplainsBadInput() {
        assertThat(VersionRanges.parse("[1.0,2.0)").includes(Version.parseVersion("1.5"))).isTrue();
        assertThat(VersionRanges.exactly("2.0.0").toString()).isEqualTo("[2.0.0,2.0.0]");
        assertThatThrownBy(() -> VersionRanges.parse("1.0-2.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1.0-2.0' is not an OSGi version range");
        assertThatThrownBy(() -> VersionRanges.compatibleWith("one"))
                .hasMessageContaining("'one' is not an OSGi version");
    }
}
