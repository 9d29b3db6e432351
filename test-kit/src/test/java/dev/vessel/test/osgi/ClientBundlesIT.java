package dev.vessel.test.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceRegistry;
import dev.vessel.registry.InstanceState;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.router.CallOptions;
import dev.vessel.router.NoCompatibleVersionException;
import dev.vessel.router.UnavailableException;
import dev.vessel.router.VersionRanges;
import dev.vessel.router.VesselClient;
import dev.vessel.test.VesselOptions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.apache.curator.test.TestingServer;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;

/**
 * vessel-registry-client and vessel-version-router resolve as bundles (with Curator, ZooKeeper and Jackson as
 * bundles) and work inside OSGi: an instance registered through one is routed to by the other, watch-driven.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ClientBundlesIT {
    /** A real ZooKeeper for the suite; it lives in the driver, outside the framework. */
    private static final class ZooKeeperHolder {
        static final String CONNECT = start();

        private static String start() {
            try {
                @SuppressWarnings("resource") // lives as long as the forked test JVM
                TestingServer server = new TestingServer(true);
                return server.getConnectString();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test ZooKeeper", e);
            }
        }
    }

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return options(
                VesselOptions.container(),
                VesselOptions.clientBundles(),
                systemProperty("vessel.test.zk").value(ZooKeeperHolder.CONNECT));
    }

    @Test
    public void theClientBundlesAreActiveAndServeTheirOwnClasses() {
        for (String name : List.of("dev.vessel.registry-client", "dev.vessel.version-router")) {
            Bundle bundle = InstalledBundles.find(context, name);
            assertNotNull(name + " is installed", bundle);
            assertEquals(name + " is ACTIVE", Bundle.ACTIVE, bundle.getState());
        }
        assertEquals("dev.vessel.version-router", FrameworkUtil.getBundle(VesselClient.class).getSymbolicName());
        assertEquals("dev.vessel.registry-client", FrameworkUtil.getBundle(InstanceRecord.class).getSymbolicName());
    }

    @Test
    public void aRegisteredInstanceIsRoutedToByTheNewestCompatibleVersion() throws Exception {
        String zk = System.getProperty("vessel.test.zk");
        try (RegistryConnection node = RegistryConnection.connect(zk);
                VesselClient client = VesselClient.connect(zk)) {
            InstanceRegistry registry = new InstanceRegistry(node);
            registry.register(instance("1.0.0"));
            assertEquals(Optional.of(Version.parseVersion("1.0.0")),
                    client.resolve("greeter", VersionRanges.compatibleWith("1.0")));

            CountDownLatch changed = new CountDownLatch(1);
            client.onRoutesChanged("greeter", changed::countDown);
            var binding = client.binding("greeter", VersionRanges.compatibleWith("1.0"));
            CountDownLatch moved = new CountDownLatch(1);
            binding.onChange(version -> moved.countDown());
            registry.register(instance("1.1.0"));
            assertTrue("the router's watch saw the new instance", changed.await(20, TimeUnit.SECONDS));
            assertTrue("the binding moved to 1.1.0", moved.await(20, TimeUnit.SECONDS));
            assertEquals(Optional.of(Version.parseVersion("1.1.0")), binding.current());
            assertEquals(Optional.of(Version.parseVersion("1.1.0")),
                    client.resolve("greeter", VersionRanges.compatibleWith("1.0")));
            assertEquals(2, new ClusterReader(node).instances("greeter").size());

            try {
                client.call("greeter", "[3.0,4.0)", "greeter", "greet", "Ada");
                fail("no 3.x version exists");
            } catch (NoCompatibleVersionException e) {
                assertEquals(List.of(Version.parseVersion("1.0.0"), Version.parseVersion("1.1.0")),
                        e.availableVersions());
            }
        }
    }

    @Test
    public void keyedIdempotentCallsFailOverInsideOsgi() throws Exception {
        String zk = System.getProperty("vessel.test.zk");
        try (RegistryConnection node = RegistryConnection.connect(zk);
                VesselClient client = VesselClient.builder().connectString(zk).build()) {
            InstanceRegistry registry = new InstanceRegistry(node);
            for (String id : List.of("a", "b")) {
                registry.register(new InstanceRecord(id + ".echo-1.0.0", "echo", "1.0.0", id, "echo-1.0.0",
                        "default", InstanceState.ACTIVE, 100, "127.0.0.1", closedPort()));
            }
            CountDownLatch both = new CountDownLatch(1);
            client.onRoutesChanged("echo", () -> {
                if (client.instances("echo").size() == 2) {
                    both.countDown();
                }
            });
            if (client.instances("echo").size() < 2) {
                assertTrue("the router saw both instances", both.await(20, TimeUnit.SECONDS));
            }
            try {
                client.call(CallOptions.keyed("user-7").asIdempotent(), "echo", "[1.0,2.0)", "echo", "echo", "x");
                fail("nothing listens on either port");
            } catch (UnavailableException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("a.echo-1.0.0: cannot connect"));
                assertTrue(e.getMessage(), e.getMessage().contains("b.echo-1.0.0: cannot connect"));
            }
        }
    }

    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static InstanceRecord instance(String version) {
        return new InstanceRecord("osgi.greeter-" + version, "greeter", version, "osgi", "greeter-" + version,
                "default", InstanceState.ACTIVE, 100, "127.0.0.1", 7070);
    }
}
