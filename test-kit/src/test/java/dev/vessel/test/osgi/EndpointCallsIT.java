package dev.vessel.test.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import dev.vessel.test.VesselOptions;
import dev.vessel.test.endpoint.EndpointCallFailed;
import dev.vessel.test.endpoint.Endpoints;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * A release's endpoint called inside the framework the way a node calls it: JSON in, JSON out, and a node's error
 * codes and messages for arguments that do not fit, an unknown method and a body that is not an array.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class EndpointCallsIT {
    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return options(
                VesselOptions.container(),
                VesselOptions.endpointCalls(),
                mavenBundle("dev.vessel", "greeter-1.0.0", GreeterBundlesIT.VERSION));
    }

    @Test
    public void jsonArgumentsAreMappedOntoTheParametersAndTheResultIsJson() {
        assertEquals("\"Hello, Ada! (greeter 1.0.0)\"", Endpoints.in(context).call("greeter", "greet", "[\"Ada\"]"));
        assertEquals("\"1.0.0\"", Endpoints.in(context).call("greeter", "version", "[]"));
    }

    @Test
    public void aNumberIsNotAStringArgument() {
        EndpointCallFailed failed = assertThrows(EndpointCallFailed.class,
                () -> Endpoints.in(context).call("greeter", "greet", "[42]"));
        assertEquals("BAD_ARGUMENTS", failed.code());
        assertTrue(failed.getMessage(), failed.getMessage().startsWith(
                "BAD_ARGUMENTS: argument 1 of greet(String): cannot map 42"));
    }

    @Test
    public void anUnknownMethodAndABodyThatIsNotAnArrayAreRefusedAsANodeRefusesThem() {
        EndpointCallFailed unknown = assertThrows(EndpointCallFailed.class,
                () -> Endpoints.in(context).call("greeter", "shout", "[\"Ada\"]"));
        assertEquals("UNKNOWN_METHOD", unknown.code());
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("endpoint 'greeter' has no method 'shout'"));

        EndpointCallFailed notArray = assertThrows(EndpointCallFailed.class,
                () -> Endpoints.in(context).call("greeter", "greet", "{\"name\": \"Ada\"}"));
        assertEquals("BAD_ARGUMENTS", notArray.code());
        assertTrue(notArray.getMessage(), notArray.getMessage().contains("must be a JSON array"));
    }
}
