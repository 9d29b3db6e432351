package dev.vessel.host.internal.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracks a container's endpoint services ({@code (vessel.endpoint=*)}), resolving each into an {@link Endpoint}
 * as it appears, and completes {@link #ready()} once every endpoint the release declares is present.
 */
final class EndpointTracker extends ServiceTracker<Object, Endpoint> {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointTracker.class);
    private static final String FILTER = "(vessel.endpoint=*)";

    private final String containerId;
    private final Set<String> expected;
    private final ObjectMapper mapper;
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    EndpointTracker(BundleContext context, String containerId, Set<String> expected, ObjectMapper mapper) {
        super(context, filter(context), null);
        this.containerId = containerId;
        this.expected = expected;
        this.mapper = mapper;
    }

    private static org.osgi.framework.Filter filter(BundleContext context) {
        try {
            return context.createFilter(FILTER);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Completes when every declared endpoint is registered. */
    CompletableFuture<Void> ready() {
        return ready;
    }

    Endpoint endpoint(String name) {
        return endpoints.get(name);
    }

    Set<String> missing() {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(endpoints.keySet());
        return missing;
    }

    Set<String> names() {
        return new TreeSet<>(endpoints.keySet());
    }

    @Override
    public Endpoint addingService(ServiceReference<Object> reference) {
        String name = String.valueOf(reference.getProperty("vessel.endpoint"));
        Object service = context.getService(reference);
        if (service == null) {
            return null; // the component failed to activate; SCR reports why
        }
        Endpoint endpoint = Endpoint.of(name, service, (String[]) reference.getProperty(Constants.OBJECTCLASS), mapper);
        if (endpoints.putIfAbsent(name, endpoint) != null) {
            LOG.warn("container {}: a second service claims endpoint '{}'; keeping the first", containerId, name);
            context.ungetService(reference);
            return null;
        }
        if (endpoints.keySet().containsAll(expected)) {
            ready.complete(null);
        }
        return endpoint;
    }

    @Override
    public void removedService(ServiceReference<Object> reference, Endpoint endpoint) {
        endpoints.remove(endpoint.name(), endpoint);
        context.ungetService(reference);
    }
}
