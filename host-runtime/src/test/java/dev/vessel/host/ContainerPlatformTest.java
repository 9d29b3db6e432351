package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.ADMIN_TOKEN;
import static dev.vessel.host.NodeTestSupport.config;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.registry.InstanceState;
import java.nio.file.Path;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Containers see the host packages the node configures, and only those. */
class ContainerPlatformTest {
    @TempDir
    Path data;

    private TestingServer zk;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
    }

    @AfterEach
    void stop() throws Exception {
        zk.close();
    }

    @Test
    void theHostsSlf4jIsExportedAtItsVersionAndAt17ForOlderBundles() throws Exception {
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).build());
                DesiredState desired = DesiredState.open(zk.getConnectString(), ADMIN_TOKEN)) {
            // greeter 1.0.0 imports org.slf4j [1.7,2), greeter 1.1.0 imports [2.0,3)
            assertThat(desired.deploy(node, release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
            assertThat(desired.deploy(node, release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);
            assertThat(call(node, "1.0.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withoutTheHostPackageABundleThatNeedsItCannotResolve() {
        try (VesselNode node = VesselNode.start(config(zk.getConnectString(), data).systemPackagesExtra("").build());
                DesiredState desired = DesiredState.open(zk.getConnectString(), ADMIN_TOKEN)) {
            ContainerInfo info = desired.deploy(node, release("greeter-1.1.0"));
            assertThat(info.state()).isEqualTo(InstanceState.FAILED);
            assertThat(info.error()).contains("missing requirement").contains("osgi.wiring.package=org.slf4j");
            // a release that needs nothing from the host still runs
            assertThat(desired.deploy(node, release("greeter-2.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        }
    }
}
