package dev.vessel.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.host.ContainerPlatform;
import org.junit.jupiter.api.Test;

/** What the Pax Exam options are made of, checked without a framework (the OSGi suite runs them in one). */
class VesselOptionsTest {
    @Test
    void theClientBundlesAreNamedByMavenCoordinatesAtThisBuildsVersions() {
        assertThat(VesselOptions.clientBundleUrls()).hasSize(26).allSatisfy(url -> assertThat(url)
                .startsWith("mvn:").doesNotContain("${"))
                .contains("mvn:org.apache.curator/curator-client/5.9.0/jar/osgi",
                        "mvn:org.eclipse.jetty/jetty-client/12.0.39")
                .last().asString().startsWith("mvn:dev.vessel/vessel-version-router/");
    }

    @Test
    void theContainerPlatformIsTheNodes() {
        assertThat(ContainerPlatform.bundles()).extracting(ContainerPlatform.PlatformBundle::name).containsExactly(
                "org.osgi.util.function.jar", "org.osgi.util.promise.jar", "org.osgi.service.component.jar",
                "org.apache.felix.log.jar", "org.apache.felix.configadmin.jar", "org.apache.felix.metatype.jar",
                "org.apache.felix.scr.jar");
        assertThat(ContainerPlatform.systemPackages()).startsWith("org.slf4j;version=");
    }

    @Test
    void aConfigurationOfAnUnsupportedTypeIsRefusedWithItsKey() {
        assertThatThrownBy(() -> VesselOptions.configuration("calc", "when", new java.util.Date()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration calc: when must be a string, number, character or boolean; got"
                        + " java.util.Date");
        assertThatThrownBy(() -> VesselOptions.configuration("calc", "precision"))
                .hasMessage("configuration calc: keys and values come in pairs; got 1 arguments");
        assertThatThrownBy(() -> VesselOptions.configuration(" ", "precision", 1))
                .hasMessage("a configuration needs a PID");
    }
}
