package dev.vessel.router;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.router.internal.HttpCaller;
import dev.vessel.router.internal.RoutingTable;
import dev.vessel.router.internal.ServiceRoutes;
import java.io.Closeable;
import java.lang.reflect.Proxy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * Calls Vessel services by API version range.
 *
 * <p>For each service it keeps a routing table that registry watches keep current (no ZooKeeper access per
 * call), picks the highest ACTIVE version inside the caller's range, spreads calls round-robin over that
 * version's instances, and retries on another instance when a node answers {@code 503 Vessel-Retry: other} or
 * cannot be connected to — both mean the call was not executed. Thread-safe; share one per application.
 *
 * <pre>{@code
 * try (VesselClient client = VesselClient.connect("127.0.0.1:2181")) {
 *     CallResult r = client.call("greeter", "[1.0,2.0)", "greeter", "greet", "Ada");
 *     System.out.println(r.text() + " from " + r.version());
 * }
 * }</pre>
 */
public final class VesselClient implements Closeable {
    private final RegistryConnection registry;
    private final boolean ownsRegistry;
    private final HttpCaller caller;
    private final int maxAttempts;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentMap<String, ServiceRoutes> routes = new ConcurrentHashMap<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private VesselClient(Builder builder, RegistryConnection registry, boolean ownsRegistry) {
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
        this.caller = new HttpCaller(builder.connectTimeout, builder.callTimeout);
        this.maxAttempts = builder.maxAttempts;
    }

    /** Connects to the registry at {@code zkConnect} ({@code host:port[,host:port...]}) with default settings. */
    public static VesselClient connect(String zkConnect) {
        return builder().connectString(zkConnect).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls {@code endpoint.method(args)} on the newest ACTIVE release of {@code service} inside {@code range}.
     *
     * @param range OSGi range syntax, e.g. {@code [1.0,2.0)}; see {@link VersionRanges}
     * @param args  arguments, serialized as a JSON array
     * @throws NoCompatibleVersionException if no ACTIVE version lies in the range (names those that exist)
     * @throws RemoteCallException          if the node rejected the call or the method threw
     * @throws UnavailableException         if every instance tried refused or could not be reached
     */
    public CallResult call(String service, String range, String endpoint, String method, Object... args) {
        return call(service, VersionRanges.parse(range), endpoint, method, args);
    }

    public CallResult call(String service, VersionRange range, String endpoint, String method, Object... args) {
        requireNonNull(range, "range cannot be null");
        requireNonNull(endpoint, "endpoint cannot be null");
        requireNonNull(method, "method cannot be null");
        byte[] body = arguments(args);
        ServiceRoutes serviceRoutes = routes(service);
        Set<String> tried = new HashSet<>();
        List<String> refusals = new ArrayList<>();
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            RoutingTable table = serviceRoutes.table();
            List<InstanceRecord> candidates = table.select(range, tried, ThreadLocalRandom.current().nextInt(100));
            if (candidates.isEmpty()) {
                if (tried.isEmpty()) {
                    throw new NoCompatibleVersionException(service, range, table.versions());
                }
                break;
            }
            InstanceRecord instance = candidates.get(Math.floorMod(roundRobin.getAndIncrement(), candidates.size()));
            tried.add(instance.id());
            HttpCaller.Answer answer;
            try {
                answer = caller.call(instance, endpoint, method, body);
            } catch (ConnectException | HttpConnectTimeoutException notSent) {
                refusals.add(instance.id() + ": cannot connect (" + notSent + ")");
                continue;
            } catch (IOException e) {
                // the request may have reached the method: only idempotent calls could be retried safely
                throw new VesselClientException("call to " + instance.id() + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VesselClientException("interrupted while calling " + instance.id(), e);
            }
            if (answer.retryElsewhere()) {
                refusals.add(instance.id() + ": 503 draining or gone");
                continue;
            }
            return result(answer, instance, attempt);
        }
        throw new UnavailableException("no instance of '" + service + "' in " + range + " took the call after "
                + tried.size() + " attempt(s): " + String.join("; ", refusals));
    }

    /** The version a call with {@code range} would go to now, if any. */
    public Optional<Version> resolve(String service, VersionRange range) {
        List<InstanceRecord> chosen = routes(service).table().select(range, Set.of());
        return chosen.isEmpty() ? Optional.empty() : Optional.of(Version.parseVersion(chosen.get(0).version()));
    }

    /** ACTIVE versions of {@code service} in this client's routing table, lowest first. */
    public List<Version> versions(String service) {
        return routes(service).table().versions();
    }

    /** ACTIVE instances of {@code service} in this client's routing table, highest version first. */
    public List<InstanceRecord> instances(String service) {
        return routes(service).table().instances();
    }

    /**
     * The version {@code range} of {@code service} resolves to, kept current by this client's routing table.
     */
    public Binding binding(String service, VersionRange range) {
        requireNonNull(range, "range cannot be null");
        Binding binding = new Binding(service, range, resolve(service, range));
        onRoutesChanged(service, () -> binding.update(resolve(service, range)));
        return binding;
    }

    /**
     * A typed client: each method of {@code api} calls the method of that name on endpoint {@code service} of the
     * newest ACTIVE release in {@code range}; arguments go as JSON, the result is mapped onto the method's (generic)
     * return type. Calls fail as {@link #call} does, with unchecked exceptions.
     */
    public <T> T proxy(Class<T> api, String service, VersionRange range) {
        return proxy(api, service, service, range);
    }

    /** Like {@link #proxy(Class, String, VersionRange)} for an endpoint named differently from its service. */
    public <T> T proxy(Class<T> api, String service, String endpoint, VersionRange range) {
        requireNonNull(api, "api cannot be null");
        if (!api.isInterface()) {
            throw new IllegalArgumentException(api.getName() + " is not an interface; proxies implement interfaces");
        }
        return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api},
                new TypedCall(this, api, service, endpoint, binding(service, range), json)));
    }

    /** The binding behind a proxy made by {@link #proxy}: which version it calls now, and when that changes. */
    public static Binding bindingOf(Object proxy) {
        if (proxy != null && Proxy.isProxyClass(proxy.getClass())
                && Proxy.getInvocationHandler(proxy) instanceof TypedCall typed) {
            return typed.binding();
        }
        throw new IllegalArgumentException("not a proxy made by VesselClient.proxy: " + proxy);
    }

    /** Runs {@code listener} each time this client's routing table for {@code service} changes. */
    public void onRoutesChanged(String service, Runnable listener) {
        routes(service).onChange(requireNonNull(listener, "listener cannot be null"));
    }

    private ServiceRoutes routes(String service) {
        RegistryLayout.requireName(service, "service");
        if (closed.get()) {
            throw new IllegalStateException("this VesselClient is closed");
        }
        return routes.computeIfAbsent(service, name -> ServiceRoutes.start(registry, name));
    }

    private byte[] arguments(Object[] args) {
        try {
            return json.writeValueAsBytes(args == null ? new Object[0] : args);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("arguments cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private CallResult result(HttpCaller.Answer answer, InstanceRecord instance, int attempts) {
        JsonNode body;
        try {
            body = json.readTree(answer.body());
        } catch (IOException e) {
            throw new VesselClientException("unreadable answer from " + instance.id() + " (HTTP " + answer.status()
                    + "): " + e.getMessage(), e);
        }
        if (answer.status() == 200) {
            return new CallResult(body, answer.version(), instance.id(), attempts, json);
        }
        String code = body.path("error").asText("HTTP_" + answer.status());
        String message = body.path("message").asText(body.toString());
        throw new RemoteCallException(answer.status(), code, message, answer.version(), instance.id());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        routes.values().forEach(ServiceRoutes::close);
        routes.clear();
        if (ownsRegistry) {
            registry.close();
        }
    }

    /** Settings for a {@link VesselClient}; every one has a default but the registry to use. */
    public static final class Builder {
        private String connectString;
        private RegistryConnection connection;
        private String root = RegistryLayout.DEFAULT_ROOT;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration callTimeout = Duration.ofSeconds(30);
        private int maxAttempts = 3;

        private Builder() {}

        /** ZooKeeper connect string; the client opens and owns its own session. */
        public Builder connectString(String connectString) {
            this.connectString = requireNonNull(connectString, "connectString cannot be null");
            return this;
        }

        /** Shares an existing registry session, which the client will not close. */
        public Builder registry(RegistryConnection connection) {
            this.connection = requireNonNull(connection, "connection cannot be null");
            return this;
        }

        /** Registry root path, default {@value RegistryLayout#DEFAULT_ROOT}. */
        public Builder root(String root) {
            this.root = requireNonNull(root, "root cannot be null");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /** How many instances one call may try when they refuse it unexecuted; default 3, at least 1. */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1; got " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        public VesselClient build() {
            if (connection != null) {
                return new VesselClient(this, connection, false);
            }
            if (connectString == null) {
                throw new IllegalStateException("set connectString(...) or registry(...) before build()");
            }
            RegistryConnection opened = RegistryConnection.connect(
                    connectString, RegistryLayout.at(root), RegistryConnection.DEFAULT_CONNECT_TIMEOUT);
            return new VesselClient(this, opened, true);
        }

        private static Duration positive(Duration value, String name) {
            requireNonNull(value, name + " cannot be null");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive; got " + value);
            }
            return value;
        }
    }
}
