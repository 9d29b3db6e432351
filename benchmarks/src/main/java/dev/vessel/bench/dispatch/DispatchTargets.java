package dev.vessel.bench.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.EmbeddedZooKeeper;
import dev.vessel.bench.LocalReleases;
import dev.vessel.bench.NodeProcess;
import dev.vessel.host.NodeConfig;
import dev.vessel.host.VesselNode;
import dev.vessel.host.internal.http.NodeHttpServer;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The two servers {@code run-dispatch.sh} loads with wrk, in one JVM so both run on the same JIT and heap: a
 * Vessel node serving greeter 1.0.0 from its Felix container, and a bare Jetty handler doing the same work itself
 * (read the JSON array body, call greet, write the JSON answer) on a server the node's own factory
 * ({@link NodeHttpServer#serve}) sets up, so threads, connector and HTTP settings are the same. Prints
 * {@code READY <vessel port> <bare port>} and serves until its standard input closes.
 *
 * <p>Arguments: the greeter-1.0.0 bundle.
 */
public final class DispatchTargets {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DispatchTargets() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("vessel-dispatch");
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dir.resolve("zk"), freePort())) {
            NodeConfig.Builder config = NodeConfig.builder(zk.connectString(), dir.resolve("node")).nodeId("bench")
                    .port(0);
            NodeProcess.cpuIsolationAsked(config);
            serve(config, args[0]);
        }
    }

    private static void serve(NodeConfig.Builder config, String greeterJar) throws Exception {
        try (VesselNode node = LocalReleases.start(config, List.of(Path.of(greeterJar)), Duration.ofMinutes(1))) {
            try (NodeHttpServer bare = NodeHttpServer.serve("127.0.0.1", 0,
                    config.build().headerTimeout(), new GreetHandler())) {
                System.out.println("READY " + node.port() + " " + bare.port());
                System.out.flush();
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            }
        }
    }

    /** The greeter's work with no routing, container or reflection in between. */
    private static final class GreetHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!"POST".equals(request.getMethod())) {
                Response.writeError(request, response, callback, 405);
                return true;
            }
            byte[] body;
            try (InputStream in = Content.Source.asInputStream(request)) {
                body = in.readNBytes(1 << 20);
            }
            JsonNode arguments = JSON.readTree(body);
            String result = greet(arguments.get(0).asText());
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.getHeaders().put("Vessel-Version", "1.0.0");
            response.write(true, ByteBuffer.wrap(JSON.writeValueAsBytes(result)), callback);
            return true;
        }

        private static String greet(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            return "Hello, " + name + "! (greeter 1.0.0)";
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
