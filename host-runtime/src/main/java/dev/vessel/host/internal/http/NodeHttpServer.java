package dev.vessel.host.internal.http;

import dev.vessel.host.internal.container.ContainerTable;
import dev.vessel.host.internal.exec.Bulkhead;
import dev.vessel.host.internal.metrics.NodeMetrics;
import java.io.Closeable;
import dev.vessel.host.NodeConfig;
import dev.vessel.registry.TlsTrust;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The node's Jetty server: data plane, admin API and health on one port. {@link #bind} opens the port first, so
 * the node knows it (port 0 picks one) while it builds its parts, and answers "not yet" ({@link NotServing});
 * {@link #serve} puts the node's API in place once its parts are all there.
 */
public final class NodeHttpServer implements Closeable {
    /** A connection with nothing to read or write for this long is closed. */
    static final long IDLE_TIMEOUT_MILLIS = 30_000;
    /** Request line and headers together; larger is refused with 431. */
    static final int MAX_REQUEST_HEADER_BYTES = 16 * 1024;
    /** Open connections; past that new ones wait in the accept queue. */
    static final int MAX_CONNECTIONS = 4_096;

    private final Server server;
    private final ServerConnector connector;
    private final Handler.Wrapper root;
    private volatile NotServing stopping;

    private NodeHttpServer(Server server, ServerConnector connector, Handler.Wrapper root) {
        this.server = server;
        this.connector = connector;
        this.root = root;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) with exactly the node's thread pool and HTTP settings;
     * a request's line and headers must arrive within {@code headerTimeout} of its first byte, and a connection's
     * first request must begin within it of the connection's accept.
     */
    public static NodeHttpServer bind(String host, int port, Duration headerTimeout) throws Exception {
        return bind(host, port, headerTimeout, Optional.empty(), NodeConfig.DEFAULT_CONNECTIONS_PER_CLIENT);
    }

    /**
     * Like {@link #bind(String, int, Duration)}, serving HTTPS with {@code tls} when present, and closing at once
     * a new connection from a client address that holds {@code connectionsPerClient} already.
     */
    public static NodeHttpServer bind(String host, int port, Duration headerTimeout, Optional<NodeConfig.Tls> tls,
            int connectionsPerClient) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("vessel-http");
        Server server = new Server(threads);
        server.setErrorHandler(new JsonErrorHandler());
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        ServerConnector connector = tls.isPresent()
                ? new ServerConnector(server, new SslConnectionFactory(sslContext(tls.get()), "http/1.1"),
                        new HttpConnectionFactory(http))
                : new ServerConnector(server, new HttpConnectionFactory(http));
        if (tls.isPresent()) {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            // clients reach nodes by IP address as often as by name; the certificate's names are checked by them
            secure.setSniHostCheck(false);
            http.addCustomizer(secure);
        }
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        server.addBean(new HeaderTimeout(connector, headerTimeout.toMillis()));
        connector.addEventListener(new ClientConnectionCap(connectionsPerClient));
        server.setStopTimeout(5_000);
        // serving at once, if only "not yet": a bound port nobody accepts from would hold clients until they time
        // out, and a call that timed out may have run, so a router could not move it elsewhere
        Handler.Wrapper root = new Handler.Wrapper(true); // dynamic: its handler is replaced while it runs
        root.setHandler(NotServing.starting());
        server.setHandler(root);
        server.start();
        return new NodeHttpServer(server, connector, root);
    }

    private static SslContextFactory.Server sslContext(NodeConfig.Tls tls) {
        // read once here so a missing file or a wrong password fails the node's start with a clear message
        TlsTrust.load(tls.keyStore(), tls.keyStorePassword(), "key store");
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keyStore().toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(tls.keyStorePassword());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        return ssl;
    }

    /**
     * Binds and serves {@code handler} with exactly the node's settings. The dispatch benchmark uses it for the
     * bare handler it compares the node against.
     */
    public static NodeHttpServer serve(String host, int port, Duration headerTimeout, Handler handler)
            throws Exception {
        NodeHttpServer server = bind(host, port, headerTimeout);
        try {
            server.serve(handler);
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Starts answering with the node's API: calls go to their containers' bulkheads, admin requests to
     * {@code admin} on {@code adminWork}, artifact reads on {@code artifactReads}; {@code /metrics} from
     * {@code metrics}; health says UP once {@code ready}; calls are answered to {@code hostNames} only.
     */
    public void serve(ContainerTable containers, BooleanSupplier ready, LongSupplier artifactBytesServed,
            long maxBodyBytes, Duration bodyTimeout, GatedHandler admin, Bulkhead adminWork,
            Bulkhead artifactReads, NodeMetrics metrics, HostNames hostNames) throws Exception {
        serve(new ApiHandler(containers, ready, artifactBytesServed, maxBodyBytes, bodyTimeout, admin, adminWork,
                artifactReads, metrics, hostNames));
    }

    private void serve(Handler handler) throws Exception {
        root.setHandler(handler); // started with the running wrapper
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** A stopping node answers "not here" until no request came for this long (at most {@link #LINGER_NANOS}). */
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * From now on refuses what comes: new connections are refused at once, requests on open connections get
     * {@code 503} with {@code Vessel-Retry: other} and {@code Connection: close}; requests already in the node's
     * hands finish. A router that still routes here (its registry has not told it yet, or cannot) moves its calls
     * elsewhere, even those that are not idempotent, and drops its connections before the node closes them.
     */
    public synchronized void stopServing() {
        if (stopping == null && server.isStarted()) {
            stopping = NotServing.stopping();
            connector.close();
            root.setHandler(stopping);
        }
    }

    /** {@link #stopServing()}, then goes on refusing until no request came for 100 ms (at most 1 s), then stops. */
    @Override
    public void close() {
        try {
            stopServing();
            if (stopping != null) {
                lingerRefusing();
            }
        } finally {
            try {
                server.stop();
            } catch (Exception e) {
                throw new IllegalStateException("HTTP server did not stop cleanly: " + e.getMessage(), e);
            }
        }
    }

    private void lingerRefusing() {
        long lingerEnds = System.nanoTime() + LINGER_NANOS;
        try {
            while (System.nanoTime() - stopping.lastRequestNanos() < QUIET_NANOS
                    && System.nanoTime() - lingerEnds < 0) {
                Thread.sleep(20); // a shutdown's linger: nothing to wait on but the absence of requests
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stop at once, then
        }
    }
}
