package dev.vessel.test.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import dev.vessel.test.VesselOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A release configured through Configuration Admin, in the platform of a Vessel container: its component serves
 * with the configuration {@link VesselOptions#configuration} gave its PID; and the platform is the node's, bundle for
 * bundle.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigurationIT {
    private static final String PID = "dev.vessel.sample.configurable.greeting";

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return options(
                VesselOptions.container(),
                // listed after the release: start levels still seed it before the release starts
                mavenBundle("dev.vessel", "configurable-greeter", GreeterBundlesIT.VERSION),
                VesselOptions.configuration(PID, "salutation", "Hola", "emphasis", 3, "style", "upper"));
    }

    @Test
    public void theComponentActivatesWithTheConfigurationItWasGiven() throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(vessel.endpoint=greeter)"), null);
        tracker.open(true);
        try {
            Object greeter = tracker.waitForService(TimeUnit.SECONDS.toMillis(20));
            assertNotNull("the configurable greeter's endpoint is registered", greeter);
            assertEquals("HOLA, ADA!!! (configurable-greeter 1.0.0)",
                    greeter.getClass().getMethod("greet", String.class).invoke(greeter, "Ada"));
        } finally {
            tracker.close();
        }
    }

    @Test
    public void theFrameworkHoldsTheNodesPlatformActive() {
        List<String> platform = List.of("org.osgi.util.function", "org.osgi.util.promise",
                "org.osgi.service.component", "org.apache.felix.log", "org.apache.felix.configadmin",
                "org.apache.felix.metatype", "org.apache.felix.scr");
        for (String name : platform) {
            Bundle bundle = InstalledBundles.find(context, name);
            assertNotNull(name + " is installed", bundle);
            assertEquals(name + " is ACTIVE", Bundle.ACTIVE, bundle.getState());
        }
        assertEquals("1", context.getProperty("felix.resolver.parallelism"));
    }
}
