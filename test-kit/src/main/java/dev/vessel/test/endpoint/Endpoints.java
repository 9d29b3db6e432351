package dev.vessel.test.endpoint;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.EndpointCallException;
import dev.vessel.host.ServiceEndpoint;
import java.time.Duration;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A release's endpoints, called from a Pax Exam test inside the framework the way a node calls them: with JSON
 * arguments, checked and mapped onto the parameter types by the node's own code (a number is not a string, an
 * unknown property is refused, overloads are tried by arity), and the result written as JSON, so a test sees the
 * answer, or the error code and message, that a caller of the deployed release would get. The test's options must
 * include {@link dev.vessel.test.VesselOptions#endpointCalls()}, which makes this package (and with it the node's
 * call code, outside the framework as in a node) visible to the test.
 *
 * <pre>{@code
 * assertEquals("42", Endpoints.in(context).call("calc", "multiply", "[6, 7]"));
 * }</pre>
 */
public final class Endpoints {
    /** How long {@link #call} waits for the endpoint's service to be registered. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private final BundleContext context;

    private Endpoints(BundleContext context) {
        this.context = context;
    }

    /** The endpoints registered in the framework of {@code context} (the test's injected context). */
    public static Endpoints in(BundleContext context) {
        return new Endpoints(requireNonNull(context, "context cannot be null"));
    }

    /**
     * Calls {@code method} of the endpoint {@code endpoint} with {@code jsonArguments} (a JSON array, as a caller's
     * body) once its service is registered (within {@link #WAIT}); returns the result as JSON text.
     *
     * @throws EndpointCallFailed with the node's error code and message when the call gives no result
     * @throws AssertionError     when no endpoint of that name is registered within {@link #WAIT}
     */
    public String call(String endpoint, String method, String jsonArguments) {
        requireNonNull(endpoint, "endpoint cannot be null");
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(context, context.createFilter("(vessel.endpoint="
                    + escape(endpoint) + ")"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("not an endpoint name: " + endpoint, e);
        }
        tracker.open(true); // all services, as the node tracks them: this class is not wired to the release's API
        try {
            Object service = tracker.waitForService(WAIT.toMillis());
            ServiceReference<Object> reference = tracker.getServiceReference();
            if (service == null || reference == null) {
                throw new AssertionError("no endpoint '" + endpoint + "' was registered within " + WAIT.toSeconds()
                        + " s");
            }
            return ServiceEndpoint.of(endpoint, service, (String[]) reference.getProperty(Constants.OBJECTCLASS))
                    .call(method, jsonArguments);
        } catch (EndpointCallException e) {
            throw new EndpointCallFailed(e.code().name(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for endpoint '" + endpoint + "'", e);
        } finally {
            tracker.close();
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("*", "\\*");
    }
}
