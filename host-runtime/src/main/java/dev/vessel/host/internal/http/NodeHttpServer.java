package dev.vessel.host.internal.http;

import java.io.Closeable;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The node's Jetty server: data plane and health on one port. */
public final class NodeHttpServer implements Closeable {
    private final Server server;
    private final ServerConnector connector;

    private NodeHttpServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    /**
     * Binds {@code host:port} (port 0 picks a free one) and starts serving. Admin requests go to whatever handler
     * {@code admin} holds; until it holds one they get 503.
     */
    public static NodeHttpServer start(String host, int port, ContainerLookup containers, long maxBodyBytes,
            AtomicReference<Request.Handler> admin) throws Exception {
        return serve(host, port, new ApiHandler(containers, maxBodyBytes, admin));
    }

    /**
     * Serves {@code handler} with exactly the node's thread pool, connector and HTTP settings. The node uses it for
     * its API; the dispatch benchmark uses it for the bare handler it compares the node against.
     */
    public static NodeHttpServer serve(String host, int port, Handler handler) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("vessel-http");
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setStopTimeout(5_000);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return new NodeHttpServer(server, connector);
    }

    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("HTTP server did not stop cleanly: " + e.getMessage(), e);
        }
    }
}
