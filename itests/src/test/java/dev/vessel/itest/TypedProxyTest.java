package dev.vessel.itest;

import static dev.vessel.itest.SampleReleases.deploy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vessel.host.testing.DesiredState;
import dev.vessel.host.VesselNode;
import dev.vessel.router.RemoteCallException;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselTestCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Version;

/** Typed clients against real nodes: the client's own copy of the API, no class of the release needed. */
class TypedProxyTest {
    /** How a 1.x client sees greeter. */
    interface Greeter {
        String greet(String name);

        String greetAll(List<String> names);

        String version();
    }

    /** How a 2.x client sees greeter. */
    interface Greeter2 {
        Greeting greet(String name, String language);
    }

    record Greeting(String message, String language, String version) {}

    @TempDir
    Path data;

    @Test
    void proxiesCallTheNewestCompatibleVersionAndReportWhenTheirBindingMoves() throws Exception {
        try (VesselTestCluster cluster = VesselTestCluster.builder().directory(data).nodes(0).withoutRelays().start();
                DesiredState desired = SampleReleases.desiredState(cluster.zkConnect());
                VesselClient client = VesselClient.connect(cluster.zkConnect())) {
            VesselNode node = cluster.addNode("n1", config -> { }).vesselNode();
            deploy(desired, node, "greeter-1.0.0", "greeter-1.1.0", "greeter-2.0.0");

            Greeter greeter = client.proxy(Greeter.class, "greeter", VersionRanges.compatibleWith("1.0"));
            assertThat(greeter.greet("Ada")).isEqualTo("Hello, Ada! (greeter 1.1.0)");
            assertThat(greeter.greetAll(List.of("Ada", "Grace"))).isEqualTo("Hello, Ada and Grace! (greeter 1.1.0)");
            assertThatThrownBy(() -> greeter.greet(" ")).isInstanceOfSatisfying(RemoteCallException.class,
                    e -> assertThat(e.errorCode()).isEqualTo("METHOD_THREW"));

            Greeter2 greeter2 = client.proxy(Greeter2.class, "greeter", VersionRanges.compatibleWith("2.0"));
            assertThat(greeter2.greet("Ada", "de")).isEqualTo(new Greeting("Hallo, Ada! (greeter 2.0.0)", "de",
                    "2.0.0"));

            var binding = VesselClient.bindingOf(greeter);
            assertThat(binding.current()).contains(Version.parseVersion("1.1.0"));
            LinkedBlockingQueue<Optional<Version>> moves = new LinkedBlockingQueue<>();
            binding.onChange(moves::add);
            desired.stop(node, "greeter", "1.1.0");
            assertThat(moves.poll(10, TimeUnit.SECONDS)).contains(Version.parseVersion("1.0.0"));
            assertThat(greeter.version()).isEqualTo("1.0.0");
        }
    }
}
