package dev.vessel.host.internal.container;

import java.lang.reflect.InvocationTargetException;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * How the host finds and calls a container's platform services (Configuration Admin, Declarative Services, the
 * Log Service): through the interfaces their own bundles define, by reflection, since the host shares none of
 * their API packages with the container.
 */
final class ContainerServices {
    private ContainerServices() {}

    /**
     * The first service registered under {@code name}, or null. All references, not only those whose class the
     * asking (system) bundle sees the same way: the system bundle is not wired to the container's service
     * packages, and a host with its own copy of one on the classpath (the CLI has org.osgi.service.cm) would
     * otherwise be shown none.
     */
    static ServiceReference<?> first(BundleContext context, String name) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(name, null);
            return references == null || references.length == 0 ? null : references[0];
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** What a reflective call really failed with: the service's own exception, not the reflection wrapper. */
    static Throwable cause(ReflectiveOperationException e) {
        return e instanceof InvocationTargetException invocation ? invocation.getCause() : e;
    }
}
