package dev.vessel.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

/** Version selection against a real ZooKeeper; the HTTP path is covered with real nodes in itests. */
class VesselClientRoutingTest {
    private TestingServer zk;
    private RegistryConnection node;
    private InstanceRegistry registry;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(true);
        node = RegistryConnection.connect(zk.getConnectString());
        registry = new InstanceRegistry(node);
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        zk.close();
    }

    private static InstanceRecord greeter(String version) {
        return new InstanceRecord("n1.greeter-" + version, "greeter", version, "n1", "greeter-" + version, "z",
                InstanceState.ACTIVE, 100, "127.0.0.1", 7070);
    }

    @Test
    void resolvesTheNewestCompatibleVersionAndFollowsRegistryChanges() throws Exception {
        registry.register(greeter("1.0.0"));
        try (VesselClient client = VesselClient.connect(zk.getConnectString())) {
            assertThat(client.resolve("greeter", VersionRanges.compatibleWith("1.0")))
                    .contains(Version.parseVersion("1.0.0"));

            CountDownLatch changed = new CountDownLatch(1);
            client.onRoutesChanged("greeter", changed::countDown);
            registry.register(greeter("1.1.0"));
            assertThat(changed.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(client.resolve("greeter", VersionRanges.compatibleWith("1.0")))
                    .contains(Version.parseVersion("1.1.0"));

            registry.unregister(greeter("1.1.0"));
            await().atMost(Duration.ofSeconds(10)).until(() -> client.resolve("greeter",
                    VersionRanges.compatibleWith("1.0")).equals(java.util.Optional.of(Version.parseVersion("1.0.0"))));
        }
    }

    @Test
    void noCompatibleVersionNamesTheVersionsThatExist() {
        registry.register(greeter("1.0.0"));
        registry.register(greeter("2.0.0"));
        try (VesselClient client = VesselClient.connect(zk.getConnectString())) {
            assertThatThrownBy(() -> client.call("greeter", "[3.0,4.0)", "greeter", "greet", "Ada"))
                    .isInstanceOfSatisfying(NoCompatibleVersionException.class, e -> {
                        assertThat(e.availableVersions()).containsExactly(
                                Version.parseVersion("1.0.0"), Version.parseVersion("2.0.0"));
                        assertThat(e.getMessage()).contains("[3.0.0,4.0.0)").contains("1.0.0, 2.0.0");
                    });
            assertThatThrownBy(() -> client.call("billing", "[1.0,2.0)", "x", "y"))
                    .isInstanceOf(NoCompatibleVersionException.class)
                    .hasMessageContaining("no ACTIVE instance of 'billing' is registered");
        }
    }

    @Test
    void anUnreachableInstanceIsSkippedAndReportedWhenNoneIsLeft() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        registry.register(new InstanceRecord("n9.greeter-1.0.0", "greeter", "1.0.0", "n9", "greeter-1.0.0", "z",
                InstanceState.ACTIVE, 100, "127.0.0.1", closedPort));
        try (VesselClient client = VesselClient.connect(zk.getConnectString())) {
            assertThatThrownBy(() -> client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada"))
                    .isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("n9.greeter-1.0.0: cannot connect");
        }
    }
}
