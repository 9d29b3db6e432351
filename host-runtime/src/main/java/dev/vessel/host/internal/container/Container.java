package dev.vessel.host.internal.container;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import dev.vessel.host.Release;
import dev.vessel.registry.InstanceState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One release running in its own Felix framework: its own storage directory, class space and service registry,
 * plus the platform (SCR) and the host packages the node exports to it. Stopping or failing one container never
 * touches another.
 *
 * <p>Everything that can hold the release's classes (framework, endpoint tracker, JSON mapper with its type
 * cache) belongs to this object and is dropped when it stops, so a stopped container's class loaders can be
 * collected.
 */
public final class Container {
    private static final Logger LOG = LoggerFactory.getLogger(Container.class);

    /** What a container needs from its node. */
    public record Settings(String systemPackagesExtra, Duration readyTimeout) {}

    private final Release release;
    private final Path storage;
    private final Settings settings;
    private final Consumer<Container> stateListener;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder busyNanos = new LongAdder();
    private final Object drainMonitor = new Object();

    private volatile InstanceState state = InstanceState.PENDING;
    private volatile String error;
    private volatile long since = System.currentTimeMillis();
    private volatile Framework framework;
    private volatile EndpointTracker endpoints;

    public Container(Release release, Path storage, Settings settings, Consumer<Container> stateListener) {
        this.release = release;
        this.storage = storage;
        this.settings = settings;
        this.stateListener = stateListener;
    }

    public String id() {
        return release.containerId();
    }

    public Release release() {
        return release;
    }

    public InstanceState state() {
        return state;
    }

    /** Why the container FAILED, else {@code null}. */
    public String error() {
        return error;
    }

    public long since() {
        return since;
    }

    /**
     * Starts the framework, the platform and the release's bundles, then waits (bounded by the ready timeout)
     * until every declared endpoint is registered. Ends ACTIVE, or FAILED with the reason.
     */
    public void start() {
        transition(InstanceState.STARTING, null);
        try {
            framework = new FrameworkFactory().newFramework(frameworkConfig());
            framework.init();
            EndpointTracker tracker = new EndpointTracker(framework.getBundleContext(), id(), release.endpoints(),
                    newMapper());
            tracker.open(true); // all services: the system bundle is not wired to the release's API packages
            endpoints = tracker;
            framework.start();
            PlatformBundles.install(framework.getBundleContext());
            startRelease();
            awaitEndpoints(tracker);
            transition(InstanceState.ACTIVE, null);
        } catch (StartFailure e) {
            fail(e.getMessage());
        } catch (BundleException | RuntimeException e) {
            fail("container framework failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while starting");
        }
    }

    private Map<String, String> frameworkConfig() {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, settings.systemPackagesExtra());
        // one resolver thread: the default keeps idle resolver threads (and their memory) per stopped framework
        config.put("felix.resolver.parallelism", "1");
        config.put("ds.loglevel", "warn");
        return config;
    }

    private void startRelease() throws StartFailure {
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : release.bundles()) {
            try {
                bundles.add(framework.getBundleContext().installBundle(jar.toUri().toString()));
            } catch (BundleException e) {
                throw new StartFailure(jar.getFileName() + " cannot be installed: " + e.getMessage());
            }
        }
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                continue;
            }
            try {
                bundle.start();
            } catch (BundleException e) {
                throw new StartFailure("bundle " + bundle.getSymbolicName() + " " + bundle.getVersion()
                        + " failed to start: " + describe(e));
            }
        }
    }

    private void awaitEndpoints(EndpointTracker tracker) throws StartFailure, InterruptedException {
        try {
            tracker.ready().get(settings.readyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new StartFailure("endpoint(s) " + tracker.missing() + " not registered within "
                    + settings.readyTimeout().toMillis() + " ms (registered: " + tracker.names() + ")");
        } catch (ExecutionException e) {
            throw new StartFailure("waiting for endpoints failed: " + e.getCause());
        }
    }

    /**
     * Admits a call: counts it in flight, then checks the container still takes calls. The order matters for
     * draining: a call that got in is always waited for.
     *
     * @return false if the container is not ACTIVE; the caller must then not call {@link #exit()}
     */
    public boolean enter() {
        inFlight.incrementAndGet();
        if (state == InstanceState.ACTIVE) {
            return true;
        }
        exit();
        return false;
    }

    public void exit() {
        if (inFlight.decrementAndGet() == 0 && state == InstanceState.DRAINING) {
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Adds the time one call spent inside the container, for {@link #takeBusyNanos()}. */
    public void addBusyNanos(long nanos) {
        busyNanos.add(nanos);
    }

    /**
     * The call time added since the last take. Divided by the time since then it is the average number of calls
     * in flight (Little's law); calls still running count when they end.
     */
    public long takeBusyNanos() {
        return busyNanos.sumThenReset();
    }

    /** Calls a method of an endpoint; only between a successful {@link #enter()} and its {@link #exit()}. */
    public byte[] call(String endpoint, String method, JsonNode arguments) throws CallFailure {
        EndpointTracker tracker = endpoints;
        Endpoint target = tracker == null ? null : tracker.endpoint(endpoint);
        if (target == null) {
            throw CallFailure.unknownEndpoint("container " + id() + " has no endpoint '" + endpoint + "'; it has "
                    + (tracker == null ? "none" : tracker.names()));
        }
        return target.call(method, arguments);
    }

    /** The implementation class of an endpoint service, or null: lets callers name the code that answers. */
    Class<?> endpointImplementation(String endpoint) {
        EndpointTracker tracker = endpoints;
        Endpoint target = tracker == null ? null : tracker.endpoint(endpoint);
        return target == null ? null : target.implementation();
    }

    /**
     * Stops taking calls, waits up to {@code drainTimeout} for calls in flight, then stops the framework and
     * removes its storage. A FAILED container keeps its state and reason.
     */
    public void stop(Duration drainTimeout) {
        if (state == InstanceState.STOPPED) {
            return;
        }
        boolean failed = state == InstanceState.FAILED;
        if (!failed) {
            transition(InstanceState.DRAINING, null);
            awaitDrained(drainTimeout);
        }
        shutdownFramework();
        if (!failed) {
            transition(InstanceState.STOPPED, null);
        }
    }

    private void awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (drainMonitor) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("container {}: {} call(s) still in flight after {} ms; stopping anyway", id(),
                            inFlight.get(), timeout.toMillis());
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(drainMonitor, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void fail(String reason) {
        LOG.warn("container {} FAILED: {}", id(), reason);
        transition(InstanceState.FAILED, reason);
        shutdownFramework();
    }

    private void shutdownFramework() {
        EndpointTracker tracker = endpoints;
        endpoints = null;
        if (tracker != null) {
            tracker.close();
        }
        Framework current = framework;
        framework = null;
        if (current != null) {
            try {
                current.stop();
                current.waitForStop(TimeUnit.SECONDS.toMillis(30));
            } catch (BundleException e) {
                LOG.warn("container {}: framework did not stop cleanly: {}", id(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteStorage();
    }

    private void deleteStorage() {
        if (!Files.exists(storage)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(storage)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warn("container {}: could not delete {}: {}", id(), storage, e.getMessage());
        }
    }

    private void transition(InstanceState next, String reason) {
        state = next;
        error = reason;
        since = System.currentTimeMillis();
        if (next == InstanceState.DRAINING && inFlight.get() == 0) {
            synchronized (drainMonitor) {
                drainMonitor.notifyAll();
            }
        }
        stateListener.accept(this);
    }

    /**
     * A mapper of this container's own: Jackson caches types (and so classes) per mapper and, by default, in the
     * process-wide {@link TypeFactory}; a private type cache keeps the release's classes out of anything shared.
     */
    private static ObjectMapper newMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .typeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 256)))
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // a JSON number or boolean is not a string argument
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    private static String describe(BundleException e) {
        StringBuilder text = new StringBuilder(e.getMessage());
        Throwable cause = e.getCause();
        while (cause != null && cause != cause.getCause()) {
            text.append(" <- ").append(cause.getClass().getName());
            if (cause.getMessage() != null) {
                text.append(": ").append(cause.getMessage());
            }
            cause = cause.getCause();
        }
        return text.toString();
    }

    private static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StartFailure(String message) {
            super(message, null, false, false);
        }
    }
}
