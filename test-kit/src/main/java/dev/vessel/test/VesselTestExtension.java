package dev.vessel.test;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * What {@link VesselTest} does: the cluster is kept in JUnit's store of the class (or of the method), whose end
 * closes it, so a failing test or a failing cluster start leaves nothing running.
 */
final class VesselTestExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
        ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            VesselTestExtension.class);
    private static final String KEY = "cluster";

    @Override
    public void beforeAll(ExtensionContext context) {
        VesselTest settings = settings(context);
        if (!settings.freshPerMethod()) {
            cluster(context, settings);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        VesselTest settings = settings(context);
        if (settings.freshPerMethod()) {
            cluster(context, settings);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // the method's store closes a per-method cluster as the method ends; nothing to do for the class's
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VesselTestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        VesselTest settings = settings(context);
        // a constructor or @BeforeAll asks before any method runs: the class's cluster then, made if need be
        if (settings.freshPerMethod() && context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("@VesselTest(freshPerMethod = true) makes a cluster per test"
                    + " method: take VesselTestCluster as a parameter of the test or @BeforeEach method, not of a"
                    + " constructor or @BeforeAll");
        }
        return cluster(context, settings).cluster();
    }

    private static VesselTest settings(ExtensionContext context) {
        Class<?> type = context.getRequiredTestClass();
        return AnnotationSupport.findAnnotation(type, VesselTest.class).orElseThrow(() ->
                new IllegalStateException(type.getName() + " is not annotated @VesselTest"));
    }

    /** The cluster of {@code context}'s class or method, started on first use. */
    private static Holder cluster(ExtensionContext context, VesselTest settings) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, key -> new Holder(VesselTestCluster.start(
                settings.nodes(), context.getRequiredTestClass().getSimpleName())), Holder.class);
    }

    /** Closes the cluster with the store that holds it. */
    record Holder(VesselTestCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.close();
        }
    }
}
