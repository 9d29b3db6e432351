package dev.vessel.test.osgi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import dev.vessel.test.VesselOptions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
 * Every greeter release, installed as a plain bundle in the platform of a Vessel container, registers its endpoint
 * service with {@code vessel.endpoint=greeter} and answers as its own version. All three versions of the same
 * bundle live side by side here, each wired to its own API package version.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GreeterBundlesIT {
    private static final String SYMBOLIC_NAME = "dev.vessel.sample.greeter";
    /** The version of this build's sample releases, resolved by Maven URL. */
    static final String VERSION = System.getProperty("vessel.test.version");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] configuration() {
        return options(
                VesselOptions.container(),
                mavenBundle("dev.vessel", "greeter-1.0.0", VERSION),
                mavenBundle("dev.vessel", "greeter-1.1.0", VERSION),
                mavenBundle("dev.vessel", "greeter-2.0.0", VERSION));
    }

    @Test
    public void eachVersionRegistersItsEndpointWithItsProperties() throws Exception {
        Map<String, ServiceReference<?>> byVersion = endpointsByBundleVersion(3);
        assertEquals(List.of("1.0.0", "1.1.0", "2.0.0"), new ArrayList<>(byVersion.keySet()));
        for (ServiceReference<?> reference : byVersion.values()) {
            assertEquals("greeter", reference.getProperty("vessel.endpoint"));
            assertEquals(SYMBOLIC_NAME, reference.getBundle().getSymbolicName());
            assertEquals(Bundle.ACTIVE, reference.getBundle().getState());
            assertEquals(List.of("dev.vessel.sample.greeter.api.Greeter"),
                    List.of((String[]) reference.getProperty("objectClass")));
        }
    }

    @Test
    public void eachVersionAnswersAsItself() throws Exception {
        Map<String, ServiceReference<?>> byVersion = endpointsByBundleVersion(3);
        for (Map.Entry<String, ServiceReference<?>> entry : byVersion.entrySet()) {
            Object greeter = context.getService(entry.getValue());
            try {
                assertEquals(entry.getKey(), invoke(greeter, "version"));
            } finally {
                context.ungetService(entry.getValue());
            }
        }
        Object v1 = context.getService(byVersion.get("1.0.0"));
        Object v11 = context.getService(byVersion.get("1.1.0"));
        Object v2 = context.getService(byVersion.get("2.0.0"));
        assertEquals("Hello, Ada! (greeter 1.0.0)", invoke(v1, "greet", "Ada"));
        assertEquals("Hello, Ada and Grace! (greeter 1.1.0)", invoke(v11, "greetAll", List.of("Ada", "Grace")));
        Object greeting = invoke(v2, "greet", "Ada", "de");
        assertEquals("Hallo, Ada! (greeter 2.0.0)", invoke(greeting, "getMessage"));
        // 1.x and 2.x are different types in different class spaces
        assertTrue(!interfaceOf(v1).equals(interfaceOf(v2)));
    }

    /** Waits (bounded) for SCR to register the endpoints: components are registered asynchronously. */
    private Map<String, ServiceReference<?>> endpointsByBundleVersion(int expected) throws Exception {
        ServiceTracker<Object, Object> tracker = new ServiceTracker<>(context,
                context.createFilter("(vessel.endpoint=greeter)"), null);
        tracker.open(true);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (tracker.size() < expected && System.nanoTime() < deadline) {
                tracker.waitForService(100);
            }
            Map<String, ServiceReference<?>> byVersion = new TreeMap<>();
            ServiceReference<Object>[] references = tracker.getServiceReferences();
            for (ServiceReference<?> reference : references == null ? List.<ServiceReference<?>>of()
                    : List.<ServiceReference<?>>of(references)) {
                byVersion.put(reference.getBundle().getVersion().toString(), reference);
            }
            assertEquals("endpoint services registered", expected, byVersion.size());
            return byVersion;
        } finally {
            tracker.close();
        }
    }

    private static Object invoke(Object target, String method, Object... args) throws Exception {
        for (java.lang.reflect.Method candidate : interfaceMethods(target)) {
            if (candidate.getName().equals(method) && candidate.getParameterCount() == args.length) {
                return candidate.invoke(target, args);
            }
        }
        throw new AssertionError(target.getClass() + " has no method " + method + "/" + args.length);
    }

    private static Collection<java.lang.reflect.Method> interfaceMethods(Object target) {
        List<java.lang.reflect.Method> methods = new ArrayList<>();
        Class<?> type = target.getClass();
        for (Class<?> api : type.getInterfaces()) {
            methods.addAll(List.of(api.getMethods()));
        }
        methods.addAll(List.of(type.getMethods()));
        return methods;
    }

    private static Class<?> interfaceOf(Object service) {
        return service.getClass().getInterfaces()[0];
    }
}
