package dev.vessel.host.internal.container;

import com.fasterxml.jackson.databind.JsonNode;
import dev.vessel.host.ContainerPlatform;
import dev.vessel.host.Release;
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
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.hooks.weaving.WeavingHook;
import org.osgi.framework.launch.Framework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Felix framework a release runs in: its own storage directory, class space and service registry, plus the
 * platform (SCR), the host packages the node exports to it, and the weaving hook that keeps its bundles from
 * ending the process. {@link Container} owns one and decides on which thread and for how long it may start.
 *
 * <p>Everything that can hold the release's classes (framework, endpoint tracker, JSON mapper with its type
 * cache) belongs to this object and is dropped by {@link #shutdown}, so a stopped release's class loaders can be
 * collected.
 */
final class ReleaseFramework {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFramework.class);

    private final Release release;
    private final Path storage;
    private final String systemPackagesExtra;
    private volatile Framework framework;
    private volatile EndpointTracker endpoints;
    /** The release's bundles, installed by {@link #prepare} and started by {@link #start}. */
    private volatile List<Bundle> installed;
    /** Felix's location prefix for a bundle read in place. */
    private static final String REFERENCE = "reference:";
    private final Predicate<Path> readInPlace;

    /** Configuration to be in the container's Configuration Admin before the release's bundles start. */
    private final Container.Configuration initialConfiguration;

    ReleaseFramework(Release release, Path storage, String systemPackagesExtra,
            Container.Configuration initialConfiguration, Predicate<Path> readInPlace) {
        this.readInPlace = readInPlace;
        this.initialConfiguration = initialConfiguration;
        this.release = release;
        this.storage = storage;
        this.systemPackagesExtra = systemPackagesExtra;
    }

    /**
     * Vessel's part of a start: the framework, the platform, the container's configuration and the release's bundles
     * installed, none of the release's code run yet. Its time depends on the node (disk, CPU, how many containers
     * start at once), not on the release, so {@link Container} bounds it apart from the ready timeout.
     *
     * @throws StartFailure with the reason the container could not be prepared
     */
    void prepare() throws StartFailure {
        try {
            Framework started = new FrameworkFactory().newFramework(frameworkConfig());
            framework = started;
            started.init();
            started.getBundleContext().registerService(WeavingHook.class, new ExitCallWeaver(), null);
            EndpointTracker tracker = new EndpointTracker(started.getBundleContext(), release.id().toString(),
                    release.endpoints(), Endpoint.newMapper());
            tracker.open(true); // all services: the system bundle is not wired to the release's API packages
            endpoints = tracker;
            started.start();
            PlatformBundles.install(started.getBundleContext());
            ContainerLog.forward(started.getBundleContext(), release.id().toString());
            // before the release starts: its components activate with their configuration, never a stale default
            ContainerConfiguration configuration = new ContainerConfiguration(started.getBundleContext());
            for (Map.Entry<String, Map<String, Object>> pid : initialConfiguration.pids().entrySet()) {
                try {
                    configuration.update(pid.getKey(), pid.getValue(), initialConfiguration.revision());
                } catch (RuntimeException e) {
                    throw new StartFailure("configuration " + pid.getKey() + " was refused: " + e.getMessage());
                }
            }
            installed = installBundles(started);
        } catch (BundleException | RuntimeException e) {
            throw new StartFailure("container framework failed: " + e);
        }
    }

    /**
     * The release's part, after {@link #prepare}: starts its bundles, then waits until every declared endpoint is
     * registered, at most {@code timeout} from when this began.
     *
     * @throws StartFailure with the reason the release did not start
     */
    void start(Duration timeout) throws StartFailure, InterruptedException {
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        if (installed == null) {
            throw new IllegalStateException("container " + release.id() + " was not prepared");
        }
        try {
            startBundles(installed);
            awaitEndpoints(endpoints, deadlineNanos, timeout);
        } catch (RuntimeException e) {
            throw new StartFailure("container framework failed: " + e);
        }
    }

    private Map<String, String> frameworkConfig() {
        Map<String, String> config = new HashMap<>(ContainerPlatform.frameworkProperties());
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        String guard = ExitCallWeaver.GUARD_PACKAGE;
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA,
                systemPackagesExtra.isBlank() ? guard : systemPackagesExtra + "," + guard);
        return config;
    }

    /**
     * Installs the release's jars, those {@code readInPlace} allows where they are: a {@code reference:} location
     * makes Felix read the jar in place instead of copying it into its cache, which for a release of hundreds of MiB
     * was seconds of disk I/O on every node at once.
     */
    private List<Bundle> installBundles(Framework started) throws StartFailure {
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : release.bundles()) {
            try {
                String location = (readInPlace.test(jar) ? REFERENCE : "") + jar.toUri();
                bundles.add(started.getBundleContext().installBundle(location));
            } catch (BundleException e) {
                throw new StartFailure(jar.getFileName() + " cannot be installed: " + e.getMessage());
            }
        }
        return List.copyOf(bundles);
    }

    private static void startBundles(List<Bundle> bundles) throws StartFailure {
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

    private static void awaitEndpoints(EndpointTracker tracker, long deadlineNanos, Duration timeout)
            throws StartFailure, InterruptedException {
        try {
            tracker.ready().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new StartFailure("endpoint(s) " + tracker.missing() + " not registered within "
                    + timeout.toMillis() + " ms (registered: "
                    + tracker.names() + ")");
        } catch (ExecutionException e) {
            throw new StartFailure("waiting for endpoints failed: " + e.getCause());
        }
    }

    /** The container's Configuration Admin; only while the framework runs. */
    ContainerConfiguration configuration() {
        return new ContainerConfiguration(runningContext());
    }

    /** Whether the container's components took a configuration change; only while the framework runs. */
    ComponentUptake uptake() {
        return new ComponentUptake(runningContext());
    }

    private BundleContext runningContext() {
        Framework current = framework;
        BundleContext context = current == null ? null : current.getBundleContext();
        if (context == null) {
            throw new IllegalStateException("container " + release.id() + " is not running");
        }
        return context;
    }

    /** Calls a method of an endpoint. */
    byte[] call(String endpoint, String method, JsonNode arguments) throws CallFailure {
        EndpointTracker tracker = endpoints;
        Endpoint target = tracker == null ? null : tracker.endpoint(endpoint);
        if (target == null) {
            throw CallFailure.unknownEndpoint("container " + release.id() + " has no endpoint '" + endpoint
                    + "'; it has " + (tracker == null ? "none" : tracker.names()));
        }
        return target.call(method, arguments);
    }

    /** The implementation class of an endpoint service, or null. */
    Class<?> endpointImplementation(String endpoint) {
        EndpointTracker tracker = endpoints;
        Endpoint target = tracker == null ? null : tracker.endpoint(endpoint);
        return target == null ? null : target.implementation();
    }

    /**
     * Stops the framework, waiting at most {@code timeout} for it, and removes its storage. Returns false if the
     * framework had not stopped by then (a bundle's stop or activator that does not return): it is abandoned.
     */
    boolean shutdown(Duration timeout) {
        EndpointTracker tracker = endpoints;
        endpoints = null;
        if (tracker != null) {
            try {
                tracker.close();
            } catch (RuntimeException e) {
                LOG.debug("container {}: closing the endpoint tracker failed", release.id(), e);
            }
        }
        Framework current = framework;
        framework = null;
        boolean stopped = true;
        if (current != null) {
            try {
                current.stop();
                stopped = current.waitForStop(Math.max(1, timeout.toMillis())).getType()
                        != org.osgi.framework.FrameworkEvent.WAIT_TIMEDOUT;
            } catch (BundleException | RuntimeException e) {
                LOG.warn("container {}: framework did not stop cleanly: {}", release.id(), e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = false;
            }
        }
        deleteStorage();
        return stopped;
    }

    private void deleteStorage() {
        if (!Files.exists(storage)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(storage)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("container {}: could not delete {}: {}", release.id(), storage, e.getMessage());
        }
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

    /** Why a release did not start; its message is the container's FAILED reason. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;

        StartFailure(String message) {
            super(message, null, false, false);
        }
    }
}
