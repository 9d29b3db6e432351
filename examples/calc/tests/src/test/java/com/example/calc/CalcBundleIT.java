package com.example.calc;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import dev.vessel.test.VesselOptions;
import dev.vessel.test.endpoint.EndpointCallFailed;
import dev.vessel.test.endpoint.Endpoints;
import java.nio.file.Path;
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
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * calc 1.1 in exactly the platform a Vessel container gives it: it resolves, starts and exposes its endpoint, which
 * takes JSON arguments the way a node maps them.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CalcBundleIT {
    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        Path release = Path.of(System.getProperty("calc.releases"), "calc-release-1.1.jar");
        return options(
                VesselOptions.container(),
                VesselOptions.endpointCalls(),
                bundle(release.toUri().toString()));
    }

    @Test
    public void theReleaseStartsAndRegistersItsEndpoint() throws Exception {
        ServiceTracker<Object, Object> endpoints = new ServiceTracker<>(context,
                context.createFilter("(vessel.endpoint=calc)"), null);
        endpoints.open(true);
        try {
            Object calculator = endpoints.waitForService(TimeUnit.SECONDS.toMillis(20));
            assertNotNull("calc registered its endpoint", calculator);
            ServiceReference<Object> reference = endpoints.getServiceReference();
            assertEquals(Bundle.ACTIVE, reference.getBundle().getState());
            assertEquals("1.1.0", reference.getBundle().getVersion().toString());
            assertEquals(42L, calculator.getClass().getMethod("multiply", long.class, long.class)
                    .invoke(calculator, 6L, 7L));
        } finally {
            endpoints.close();
        }
    }

    @Test
    public void itsEndpointTakesJsonArgumentsAsANodeGivesThem() {
        assertEquals("42", Endpoints.in(context).call("calc", "multiply", "[6, 7]"));
        EndpointCallFailed text = assertThrows(EndpointCallFailed.class,
                () -> Endpoints.in(context).call("calc", "add", "[\"2\", 3]"));
        assertEquals("BAD_ARGUMENTS", text.code()); // a caller's string is not a long, as on a node
    }
}
