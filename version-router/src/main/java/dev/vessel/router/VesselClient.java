package dev.vessel.router;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.RegistryConnection;
import dev.vessel.registry.RegistryCredentials;
import dev.vessel.registry.RegistryLayout;
import dev.vessel.router.internal.HttpCaller;
import dev.vessel.router.internal.ClientCounters;
import dev.vessel.router.internal.RetryBudget;
import dev.vessel.router.internal.RoutingPolicy;
import dev.vessel.router.internal.ServiceRoutes;
import java.io.Closeable;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;

/**
 * Calls Vessel services by API version range.
 *
 * <p>For each service it keeps a routing table that registry watches keep current (no ZooKeeper access per
 * call) and picks the highest ACTIVE version inside the caller's range. Within it a call goes to the less loaded
 * of two random instances (this client's calls in flight plus the load each node publishes), or, with a routing
 * key, to the key's instance on a consistent-hash ring with bounded load. Instances that keep failing are ejected
 * for a growing interval; calls are retried on another instance when they did not run, and idempotent ones also
 * when they may have (see {@link #call(CallOptions, String, VersionRange, String, String, Object...)}).
 * Thread-safe; share one per application.
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
    /** Records given instead of a registry (then {@link #registry} is null), by service. */
    private final java.util.function.Function<String, List<InstanceRecord>> fixedInstances;
    private final ObjectMapper json = new ObjectMapper();
    private final CallAttempts attempts;
    private final ConcurrentMap<String, ServiceRoutes> routes = new ConcurrentHashMap<>();
    /** How long instances stay routable after a lost session is replaced (see {@link Builder#registryGrace}). */
    public static final Duration DEFAULT_REGISTRY_GRACE = Duration.ofSeconds(30);
    private final RoutingPolicy policy;
    private final Duration registryGrace;
    private final AtomicBoolean closed = new AtomicBoolean();

    private VesselClient(Builder builder, RegistryConnection registry, boolean ownsRegistry) {
        this.registry = registry;
        this.ownsRegistry = ownsRegistry;
        this.fixedInstances = builder.fixedInstances;
        // a client on given records makes one-shot calls: blocking attempts on HttpURLConnection
        this.attempts = new CallAttempts(new HttpCaller(builder.connectTimeout, builder.tls,
                builder.fixedInstances != null), json, builder.maxAttempts, builder.retryRatio, builder.retryBurst,
                builder.hedgeRatio, builder.callTimeout, builder.attemptTimeout);
        this.policy = builder.policy;
        this.registryGrace = builder.registryGrace;
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
        return call(CallOptions.DEFAULT, service, VersionRanges.parse(range), endpoint, method, args);
    }

    public CallResult call(String service, VersionRange range, String endpoint, String method, Object... args) {
        return call(CallOptions.DEFAULT, service, range, endpoint, method, args);
    }

    /** Like {@link #call(String, String, String, String, Object...)}, with a routing key or as idempotent. */
    public CallResult call(CallOptions options, String service, String range, String endpoint, String method,
            Object... args) {
        return call(options, service, VersionRanges.parse(range), endpoint, method, args);
    }

    /**
     * Calls {@code endpoint.method(args)} as {@link #call(String, String, String, String, Object...)} does.
     *
     * <p>Retries go to another instance: always when the call did not run (connection refused, {@code 503
     * Vessel-Retry: other}); after a failure that may have happened after it ran (timeout, broken connection, a 5xx
     * that is not the method's own exception) only when {@code options} says the call is idempotent and the
     * client's retry budget allows. Such failures also count towards ejecting the instance.
     */
    public CallResult call(CallOptions options, String service, VersionRange range, String endpoint, String method,
            Object... args) {
        requireNonNull(options, "options cannot be null");
        requireNonNull(range, "range cannot be null");
        requireNonNull(endpoint, "endpoint cannot be null");
        requireNonNull(method, "method cannot be null");
        byte[] body = arguments(args);
        ServiceRoutes serviceRoutes = routes(service);
        String outcome = "FAILED";
        try {
            CallResult result = attempts.call(serviceRoutes, options, service, range, endpoint, method, body);
            outcome = "OK";
            return result;
        } catch (RemoteCallException e) {
            outcome = "REMOTE_ERROR";
            throw e;
        } catch (NoCompatibleVersionException e) {
            outcome = "NO_COMPATIBLE_VERSION";
            throw e;
        } catch (UnavailableException e) {
            outcome = "UNAVAILABLE";
            throw e;
        } finally {
            serviceRoutes.counters().called(outcome);
        }
    }

    /** Attempts sent as hedges since this client started. */
    public long hedges() {
        return attempts.hedges();
    }

    /**
     * What this client did for each service it has called or looked up, and how its routing tables stand; a
     * service appears once the client has a routing table for it.
     */
    public List<ServiceStatistics> statistics() {
        long now = System.nanoTime();
        List<ServiceStatistics> all = new ArrayList<>();
        routes.forEach((service, serviceRoutes) -> {
            ClientCounters counters = serviceRoutes.counters();
            all.add(new ServiceStatistics(service, counters.calls(), counters.attempts(), counters.retries(),
                    counters.hedges(), counters.ejections(), serviceRoutes.table().instances().size(),
                    Duration.ofNanos(now - serviceRoutes.tableSince()), serviceRoutes.retained()));
        });
        all.sort(java.util.Comparator.comparing(ServiceStatistics::service));
        return all;
    }

    /** The version a call with {@code range} would go to now, if any. */
    public Optional<Version> resolve(String service, VersionRange range) {
        return routes(service).table().resolve(range);
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
        ServiceRoutes serviceRoutes = routes(service);
        serviceRoutes.onChange(new BindingUpdater(serviceRoutes, binding));
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

    /** How many route listeners {@code service} has; for tests of listener clean-up. */
    int routeListeners(String service) {
        return routes(service).listenerCount();
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
        return routes.computeIfAbsent(service, name -> fixedInstances != null
                ? ServiceRoutes.fixed(fixedInstances.apply(name), policy)
                : ServiceRoutes.start(registry, name, policy, registryGrace));
    }

    private byte[] arguments(Object[] args) {
        try {
            return json.writeValueAsBytes(args == null ? new Object[0] : args);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("arguments cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        routes.values().forEach(ServiceRoutes::close);
        routes.clear();
        attempts.close();
        if (ownsRegistry && registry != null) {
            registry.close();
        }
    }

    /** Settings for a {@link VesselClient}; every one has a default but the registry to use. */
    public static final class Builder {
        private String connectString;
        private RegistryConnection connection;
        private RegistryCredentials reader;
        private String root = RegistryLayout.DEFAULT_ROOT;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration attemptTimeout = Duration.ofSeconds(1);
        private double hedgeRatio = 0.05;
        private int maxAttempts = 3;
        private RoutingPolicy policy = RoutingPolicy.DEFAULT;
        private Duration registryGrace = DEFAULT_REGISTRY_GRACE;
        private double retryRatio = 0.2;
        private int retryBurst = 10;
        private javax.net.ssl.SSLContext tls;
        private dev.vessel.registry.RegistryTls registryTls;
        private java.util.function.Function<String, List<InstanceRecord>> fixedInstances;

        private Builder() {}

        /**
         * Reaches ZooKeeper over TLS, checking its certificate against {@code tls}'s trust store: for a quorum run by
         * nodes with TLS. Default: a plain session. Applies to the session this client opens, not to a shared one.
         */
        public Builder registryTls(dev.vessel.registry.RegistryTls tls) {
            this.registryTls = requireNonNull(tls, "tls cannot be null");
            return this;
        }

        /**
         * Calls nodes over HTTPS, trusting the certificates {@code context} trusts (see
         * {@link dev.vessel.registry.TlsTrust#context}); for a cluster whose nodes serve TLS. Default: plain HTTP.
         */
        public Builder tls(javax.net.ssl.SSLContext context) {
            this.tls = requireNonNull(context, "context cannot be null");
            return this;
        }

        /**
         * The registry reader secret of a secured cluster (one whose nodes run their own quorum): the client reads
         * the registry as the read-only {@code vessel-reader} identity. Default: none, for an open registry.
         */
        public Builder readerSecret(String secret) {
            this.reader = RegistryCredentials.forReader(secret);
            return this;
        }

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

        /**
         * How long, after this client's registry session was lost and replaced, instances the registry no longer
         * lists stay in its routing table: nodes register again only once their own sessions are back, and until
         * then the registry a new session reads is missing instances that answer. Instances the registry lists are
         * taken at once, and one that fails is ejected as any failing instance is. Default 30 s; zero takes the
         * registry's word at once.
         */
        public Builder registryGrace(Duration grace) {
            requireNonNull(grace, "grace cannot be null");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("registryGrace cannot be negative; got " + grace);
            }
            this.registryGrace = grace;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** The whole call's deadline, over every attempt; default 30 s. */
        public Builder callTimeout(Duration timeout) {
            this.callTimeout = positive(timeout, "callTimeout");
            return this;
        }

        /**
         * How long one attempt may take before it counts as failed (towards ejecting its instance) and, for an
         * idempotent call, is retried on another; default 1 s, so a frozen instance costs one attempt, not the
         * call's deadline. Raise it for methods that legitimately take longer.
         */
        public Builder attemptTimeout(Duration timeout) {
            this.attemptTimeout = positive(timeout, "attemptTimeout");
            return this;
        }

        /**
         * Share of calls that may be hedged: an idempotent call whose attempt is slower than the service's recent
         * 95th percentile sends a second attempt to another instance and takes the first answer. Default 0.05
         * (at most about 5 % more attempts); 0 turns hedging off.
         */
        public Builder hedging(double ratio) {
            new RetryBudget(ratio, 1); // validates the ratio
            this.hedgeRatio = ratio;
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

        /** Ring points per instance for keyed calls; default 200. */
        public Builder virtualNodes(int nodes) {
            this.policy = policy.withVirtualNodes(nodes);
            return this;
        }

        /**
         * ε of bounded-load hashing: an instance with more than (1+ε)× the average of this client's calls in
         * flight takes no more keyed calls until it is below; default 0.25.
         */
        public Builder loadBound(double epsilon) {
            this.policy = policy.withLoadBound(epsilon);
            return this;
        }

        /**
         * Ejects an instance after {@code failures} failed calls in a row for {@code base}, doubled for each further
         * ejection up to {@code max}, but never more than {@code maxShare} of a version's instances at once.
         * Defaults: 3, 1 s, 30 s, 0.5.
         */
        public Builder ejection(int failures, Duration base, Duration max, double maxShare) {
            this.policy = policy.withEjection(failures, base, max, maxShare);
            return this;
        }

        /**
         * Retries of calls that may already have run: each call earns {@code ratio} of one, at most {@code burst}
         * are saved up. Defaults 0.2 and 10: at most one retry per five calls once a burst of ten is spent.
         */
        public Builder retryBudget(double ratio, int burst) {
            new RetryBudget(ratio, burst); // validates
            this.retryRatio = ratio;
            this.retryBurst = burst;
            return this;
        }

        /**
         * Routes from records given here instead of a registry watch: {@code source} is asked once for each
         * service, when it is first called, and nothing follows later changes; no registry session is opened.
         * For one-shot tools that read the records elsewhere: the {@code vessel} CLI asks a node for them, which
         * costs one HTTP request instead of a ZooKeeper session. Such a client also calls over
         * {@code HttpURLConnection} (the JDK's {@code HttpClient} only for a hedge), which starts faster and lets
         * the JVM exit at once.
         */
        public Builder instances(java.util.function.Function<String, List<InstanceRecord>> source) {
            this.fixedInstances = requireNonNull(source, "source cannot be null");
            return this;
        }

        public VesselClient build() {
            if (fixedInstances != null) {
                if (connection != null || connectString != null) {
                    throw new IllegalStateException("instances(...) replaces the registry: set it, or connectString"
                            + "(...) or registry(...), not both");
                }
                return new VesselClient(this, null, false);
            }
            if (connection != null) {
                return new VesselClient(this, connection, false);
            }
            if (connectString == null) {
                throw new IllegalStateException("set connectString(...) or registry(...) before build()");
            }
            RegistryConnection opened = RegistryConnection.connect(connectString, RegistryLayout.at(root),
                    RegistryConnection.DEFAULT_CONNECT_TIMEOUT, reader, registryTls);
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
