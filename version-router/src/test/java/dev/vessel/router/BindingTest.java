package dev.vessel.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Version;

class BindingTest {
    interface Greeter {
        String greet(String name);
    }

    private static InstanceRecord greeter(String version) {
        return new InstanceRecord("n1.greeter-" + version, "greeter", version, "n1", "greeter-" + version, "z",
                InstanceState.ACTIVE, 100, "127.0.0.1", 7070);
    }

    @Test
    void aBindingFollowsTheNewestCompatibleVersionAndTellsItsListeners() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection node = RegistryConnection.connect(zk.getConnectString());
                VesselClient client = VesselClient.connect(zk.getConnectString())) {
            InstanceRegistry registry = new InstanceRegistry(node);
            registry.register(greeter("1.0.0"));
            Binding binding = client.binding("greeter", VersionRanges.compatibleWith("1.0"));
            assertThat(binding.current()).contains(Version.parseVersion("1.0.0"));

            LinkedBlockingQueue<Optional<Version>> changes = new LinkedBlockingQueue<>();
            binding.onChange(changes::add);
            registry.register(greeter("2.0.0")); // outside the range: no change to report
            registry.register(greeter("1.1.0"));
            assertThat(changes.poll(10, TimeUnit.SECONDS)).contains(Version.parseVersion("1.1.0"));
            registry.unregister(greeter("1.1.0"));
            registry.unregister(greeter("1.0.0"));
            // the two removals may reach the client in one change of its table (the registry watch coalesces
            // changes that arrive together): 1.0.0 may be skipped, but the last word is "none"
            Optional<Version> next = changes.poll(10, TimeUnit.SECONDS);
            if (next != null && next.isPresent()) {
                assertThat(next).contains(Version.parseVersion("1.0.0"));
                next = changes.poll(10, TimeUnit.SECONDS);
            }
            assertThat(next).isNotNull().isEmpty();
            assertThat(List.copyOf(changes)).isEmpty();
            assertThat(binding.current()).isEmpty();
        }
    }

    @Test
    void proxiesNobodyHoldsLeaveTheRouteListenersAtTheNextChange() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                RegistryConnection node = RegistryConnection.connect(zk.getConnectString());
                VesselClient client = VesselClient.connect(zk.getConnectString())) {
            InstanceRegistry registry = new InstanceRegistry(node);
            Greeter kept = client.proxy(Greeter.class, "greeter", VersionRanges.compatibleWith("1.0"));
            int baseline = client.routeListeners("greeter");
            for (int i = 0; i < 100; i++) { // a proxy per request, dropped at once
                client.proxy(Greeter.class, "greeter", VersionRanges.compatibleWith("1.0"));
            }
            assertThat(client.routeListeners("greeter")).isEqualTo(baseline + 100);
            int[] round = {0};
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                System.gc();
                InstanceRecord change = greeter("1.0." + round[0]++);
                registry.register(change); // every change lets the dropped ones notice
                registry.unregister(change);
                return client.routeListeners("greeter") == baseline;
            });
            assertThat(VesselClient.bindingOf(kept).range()).isEqualTo(VersionRanges.compatibleWith("1.0"));
        }
    }

    @Test
    void proxiesAreForInterfacesAndKnowTheirBinding() throws Exception {
        try (TestingServer zk = new TestingServer(true);
                VesselClient client = VesselClient.connect(zk.getConnectString())) {
            Greeter proxy = client.proxy(Greeter.class, "greeter", VersionRanges.compatibleWith("1.0"));
            assertThat(VesselClient.bindingOf(proxy).range()).isEqualTo(VersionRanges.compatibleWith("1.0"));
            assertThat(proxy.toString()).contains("Greeter proxy for greeter [1.0.0,2.0.0) (now no version)");
            assertThatThrownBy(() -> proxy.greet("Ada")).isInstanceOf(NoCompatibleVersionException.class);
            assertThatThrownBy(() -> client.proxy(String.class, "greeter", VersionRanges.parse("[1,2)")))
                    .hasMessageContaining("is not an interface");
            assertThatThrownBy(() -> VesselClient.bindingOf("not a proxy")).hasMessageContaining("not a proxy");
        }
    }
}
