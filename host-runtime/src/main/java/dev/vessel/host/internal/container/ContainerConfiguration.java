package dev.vessel.host.internal.container;

import java.lang.reflect.Method;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The host's hand on one container's Configuration Admin (Apache Felix's, part of every container's platform).
 * The host does not share the container's {@code org.osgi.service.cm} classes: like endpoints, the service is
 * reached through the interface its own bundle defines, so a release may bring any compatible cm API it likes.
 * Configurations are bound to no bundle ({@code "?"}, multi-location), so whichever bundle's component names the
 * PID gets it, as with a file installer.
 */
final class ContainerConfiguration {
    /**
     * The revision a configuration came from, added to its properties: the components see it, and it tells the
     * host when Declarative Services has handed that revision to them ({@link ComponentUptake}).
     */
    static final String REVISION_PROPERTY = "vessel.configuration.revision";
    private static final String ADMIN = "org.osgi.service.cm.ConfigurationAdmin";
    private static final String CONFIGURATION = "org.osgi.service.cm.Configuration";
    private static final String ANY_BUNDLE = "?";

    private final BundleContext context;

    ContainerConfiguration(BundleContext context) {
        this.context = context;
    }

    /**
     * Gives {@code pid} these properties (replacing all it had); Configuration Admin hands them to the components
     * that use the PID, asynchronously, as it does for any configuration change.
     */
    void update(String pid, Map<String, ?> properties) {
        Hashtable<String, Object> dictionary = new Hashtable<>(properties);
        invoke(configuration(pid), "update", new Class<?>[] {Dictionary.class}, dictionary);
    }

    /** {@link #update(String, Map)} with the properties of configuration revision {@code revision}. */
    void update(String pid, Map<String, ?> properties, long revision) {
        Map<String, Object> marked = new LinkedHashMap<>(properties);
        marked.put(REVISION_PROPERTY, revision);
        update(pid, marked);
    }

    /** Removes {@code pid}'s configuration: its components go back to their defaults. */
    void delete(String pid) {
        invoke(configuration(pid), "delete", new Class<?>[0]);
    }

    /**
     * {@code pid}'s properties as Configuration Admin holds them, without its own {@code service.*} keys and the
     * host's revision mark.
     */
    Map<String, Object> properties(String pid) {
        Object dictionary = invoke(configuration(pid), "getProperties", new Class<?>[0]);
        Map<String, Object> properties = new LinkedHashMap<>();
        if (dictionary instanceof Dictionary<?, ?> values) {
            for (Enumeration<?> keys = values.keys(); keys.hasMoreElements();) {
                Object key = keys.nextElement();
                if (!key.toString().startsWith("service.") && !key.equals(REVISION_PROPERTY)) {
                    properties.put(key.toString(), values.get(key));
                }
            }
        }
        return properties;
    }

    private Object configuration(String pid) {
        ServiceReference<?> reference = ContainerServices.first(context, ADMIN);
        if (reference == null) {
            throw new IllegalStateException("the container has no Configuration Admin running");
        }
        Object admin = context.getService(reference);
        try {
            Class<?> type = reference.getBundle().loadClass(ADMIN);
            return type.getMethod("getConfiguration", String.class, String.class).invoke(admin, pid, ANY_BUNDLE);
        } catch (ReflectiveOperationException e) {
            throw failure("getConfiguration(" + pid + ")", e);
        } finally {
            context.ungetService(reference);
        }
    }

    private Object invoke(Object configuration, String name, Class<?>[] types, Object... args) {
        try {
            Class<?> type = configuration.getClass().getClassLoader().loadClass(CONFIGURATION);
            Method method = type.getMethod(name, types);
            return method.invoke(configuration, args);
        } catch (ReflectiveOperationException e) {
            throw failure(name, e);
        }
    }

    private static IllegalStateException failure(String what, ReflectiveOperationException e) {
        Throwable cause = ContainerServices.cause(e);
        return new IllegalStateException("Configuration Admin refused " + what + ": " + cause, cause);
    }
}
