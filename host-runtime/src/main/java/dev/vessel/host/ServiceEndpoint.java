package dev.vessel.host;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.internal.container.CallFailure;
import dev.vessel.host.internal.container.Endpoint;
import dev.vessel.host.internal.http.ApiError;
import dev.vessel.host.internal.http.CallArguments;
import java.nio.charset.StandardCharsets;

/**
 * An endpoint service called exactly the way a node calls it, by the node's own code: the methods a caller may call
 * (the public methods declared by the types the service is registered under), JSON arguments checked as a call's
 * body is and mapped onto the parameter types with the node's mapper (a number is not a string, nothing unknown is
 * ignored), overloads tried by arity, the result written as JSON. For tools and tests that hold a release's service
 * object outside a node; the test kit's in-framework check uses it.
 */
public final class ServiceEndpoint {
    private final Endpoint endpoint;

    private ServiceEndpoint(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * @param name        the endpoint's name (its {@code vessel.endpoint} service property)
     * @param service     the service object
     * @param objectClass the types the service is registered under (its {@code objectClass} property)
     */
    public static ServiceEndpoint of(String name, Object service, String... objectClass) {
        requireNonNull(name, "name cannot be null");
        requireNonNull(service, "service cannot be null");
        if (objectClass.length == 0) {
            throw new IllegalArgumentException("an endpoint is registered under at least one type");
        }
        return new ServiceEndpoint(Endpoint.of(name, service, objectClass.clone(), Endpoint.newMapper()));
    }

    /**
     * Calls {@code method} with {@code jsonArguments}, a JSON array, and returns the result as JSON text.
     *
     * @throws EndpointCallException with the error code and message a node answers with when the arguments are
     *                               not a JSON array or do not fit, the method is unknown, it threw, or its result
     *                               cannot be written as JSON
     */
    public String call(String method, String jsonArguments) throws EndpointCallException {
        requireNonNull(method, "method cannot be null");
        requireNonNull(jsonArguments, "jsonArguments cannot be null");
        try {
            byte[] result = endpoint.call(method, CallArguments.parse(jsonArguments.getBytes(StandardCharsets.UTF_8)));
            return new String(result, StandardCharsets.UTF_8);
        } catch (ApiError e) {
            throw new EndpointCallException(e.code(), e.getMessage());
        } catch (CallFailure e) {
            throw new EndpointCallException(e.code(), e.getMessage());
        }
    }
}
