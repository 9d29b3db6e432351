package dev.vessel.itest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.deploy.Rollout;
import dev.vessel.registry.DeployedVersion;
import dev.vessel.router.VesselClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release engineer's whole path under steady client load: real nodes, real ZooKeeper, real HTTP. Greeter
 * 1.0.0 serves; 1.1.0 replaces it; 2.0.0 goes out as a 10 % canary and is rolled back; then 2.0.0 is deployed
 * fully and retired again. Not one call may fail, and every call is answered by a version inside its caller's range.
 */
class HotDeployUnderLoadTest {
    @TempDir
    Path data;

    @Test
    void upgradesCanariesRollbacksAndRetirementsFailNoCall() throws Exception {
        try (DeployCluster cluster = new DeployCluster(data, 2);
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            assertThat(cluster.deploy("greeter-1.0.0", 100, false).ok()).isTrue();

            SteadyLoad load = new SteadyLoad(client, "[1.0,2.0)", "[1.0,2.0)", "[1.0,3.0)", "[1.0,3.0)");
            load.start();
            try {
                Rollout.Result replaced = cluster.deploy("greeter-1.1.0", 100, true);
                assertThat(replaced.ok()).as(replaced.failures().toString()).isTrue();
                assertThat(replaced.deployment().versions()).extracting(DeployedVersion::version)
                        .containsExactly("1.1.0");

                Rollout.Result canary = cluster.deploy("greeter-2.0.0", 10, false);
                assertThat(canary.ok()).isTrue();
                assertCanaryShare(client);

                Rollout.Result rolledBack = cluster.change("rollback", null, null);
                assertThat(rolledBack.ok()).isTrue();
                assertThat(rolledBack.deployment().versions()).extracting(DeployedVersion::version)
                        .containsExactly("1.1.0");

                assertThat(cluster.deploy("greeter-2.0.0", 100, false).ok()).isTrue();
                assertThat(cluster.change("retire", "2.0.0", null).ok()).isTrue();
            } finally {
                load.stop();
            }

            assertThat(load.failures()).as("failed calls or answers outside the caller's range").isEmpty();
            assertThat(load.calls()).isGreaterThan(200);
            assertThat(load.answeredBy().keySet()).contains(
                    "[1.0.0,2.0.0) -> 1.0.0", "[1.0.0,2.0.0) -> 1.1.0",
                    "[1.0.0,3.0.0) -> 1.1.0", "[1.0.0,3.0.0) -> 2.0.0");
        }
    }

    /**
     * With a 10 % canary, callers whose range admits both versions send ~10 % of their calls to it: 2000 calls,
     * binomial standard deviation ~13.4 calls, accepted within ±5 deviations (6.6 %-13.4 %).
     */
    private static void assertCanaryShare(VesselClient client) {
        int toCanary = 0;
        int total = 2000;
        for (int i = 0; i < total; i++) {
            if (client.call("greeter", "[1.0,3.0)", "greeter", "version").version().equals("2.0.0")) {
                toCanary++;
            }
        }
        assertThat(toCanary).as("calls to the canary out of %d", total).isBetween(132, 268);
        // callers whose range admits only 1.x never see the canary
        for (int i = 0; i < 200; i++) {
            assertThat(client.call("greeter", "[1.0,2.0)", "greeter", "version").version()).isEqualTo("1.1.0");
        }
    }
}
