package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.deploy.Rollout;
import dev.vessel.host.ContainerInfo;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import dev.vessel.router.VesselClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release that passes validation but fails on one node is rolled back on every node, and the previous state
 * keeps serving. Here node-2 exports no host packages, so greeter 1.1.0 (which imports org.slf4j) cannot resolve
 * there, while it starts fine on node-1 where it was validated.
 */
class AutomaticRollbackTest {
    @TempDir
    Path data;

    @Test
    void aReleaseThatFailsOnOneNodeIsRolledBackEverywhere() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 1)) {
            cluster.addNode("node-2", config -> config.systemPackagesExtra(""));
            assertThat(cluster.deploy("greeter-2.0.0", 100, false).ok()).isTrue();

            try (VesselClient client = VesselClient.connect(cluster.zkConnect())) {
                Rollout.Result result = cluster.deploy("greeter-1.1.0", 100, false);

                assertThat(result.ok()).isFalse();
                assertThat(result.rolledBack()).isTrue();
                assertThat(result.failures()).singleElement().asString()
                        .startsWith("node-2: greeter 1.1.0 FAILED")
                        .contains("osgi.wiring.package=org.slf4j");
                assertThat(result.deployment().versions()).extracting(DeployedVersion::version)
                        .containsExactly("2.0.0");
                assertThat(result.convergence().converged()).as("the rollback converged").isTrue();

                // nothing of 1.1.0 is routed anywhere; node-1, which started it, drains it and stops it
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cluster.nodes().get(0)
                        .containers()).filteredOn(c -> c.id().equals("greeter-1.1.0"))
                        .extracting(ContainerInfo::state).containsExactly(InstanceState.STOPPED));
                assertThat(client.instances("greeter")).extracting(InstanceRecord::version).containsOnly("2.0.0");
                assertThat(client.call("greeter", "[1.0,3.0)", "greeter", "version").text()).isEqualTo("2.0.0");
            }
        }
    }
}
