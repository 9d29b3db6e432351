package dev.vessel.router.internal;

import dev.vessel.protocol.VesselHeaders;
import dev.vessel.registry.InstanceRecord;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;

/**
 * Sends one {@code /v1/call} request to one instance's node over HTTP/1.1, on Jetty's {@code HttpClient}.
 *
 * <p>Not the JDK's {@code java.net.http.HttpClient}: when it reuses a pooled HTTP/1.1 connection it can send the
 * request before it has handed the connection's reader from the idle pool to the new exchange, and an answer arriving
 * in that window is dropped as unexpected data: the call fails with "header parser received no bytes" although the
 * node ran it and answered (JDK-8338569; about 1 in 50,000 back-to-back calls on JDK 17 and 25, measured by
 * benchmarks/run-jdk-client-race.sh). A call that may have run is not retried unless it is idempotent, so each such
 * race was a failed call.
 */
public final class HttpCaller implements AutoCloseable {
    /** Below the node's 30 s idle timeout, so that the client, not the node, closes an idle connection. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(20);
    /** Connections to one node; past this, calls wait for a free connection. */
    static final int MAX_CONNECTIONS_PER_NODE = 512;
    private static final int MAX_ANSWER_BYTES = Integer.MAX_VALUE - 8;

    private final Duration connectTimeout;
    private final javax.net.ssl.SSLContext tls;
    private final boolean oneShot;
    private final String scheme;
    /** Started on first use: a one-shot caller needs it only for a hedge. */
    private volatile HttpClient http;
    private boolean closed; // guarded by this

    /** @param tls null for plain HTTP, else the context HTTPS connections to nodes are made with */
    public HttpCaller(Duration connectTimeout, javax.net.ssl.SSLContext tls) {
        this(connectTimeout, tls, false);
    }

    /**
     * @param oneShot for a process that makes a call or two and exits (the {@code vessel} CLI): calls on the
     *                calling thread go over {@code HttpURLConnection}, which starts no threads and opens no pool.
     */
    public HttpCaller(Duration connectTimeout, javax.net.ssl.SSLContext tls, boolean oneShot) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.oneShot = oneShot;
        this.scheme = tls == null ? "http://" : "https://";
    }

    private HttpClient http() {
        HttpClient running = http;
        return running != null ? running : start();
    }

    private synchronized HttpClient start() {
        if (closed) {
            throw new IllegalStateException("the client is closed");
        }
        if (http == null) {
            ClientConnector connector = new ClientConnector();
            connector.setSelectors(1);
            if (tls != null) {
                SslContextFactory.Client sslFactory = new SslContextFactory.Client();
                sslFactory.setSslContext(tls);
                connector.setSslContextFactory(sslFactory);
            }
            HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
            // daemon threads: a client its application forgot to close must not keep the JVM from exiting
            QueuedThreadPool threads = new QueuedThreadPool(64, 2);
            threads.setName("vessel-client-http");
            threads.setDaemon(true);
            client.setExecutor(threads);
            client.setScheduler(new ScheduledExecutorScheduler("vessel-client-http-timer", true));
            client.setConnectTimeout(connectTimeout.toMillis());
            client.setIdleTimeout(IDLE_TIMEOUT.toMillis());
            client.setMaxConnectionsPerDestination(MAX_CONNECTIONS_PER_NODE);
            client.setFollowRedirects(false);
            client.setHttpCookieStore(new HttpCookieStore.Empty());
            client.getContentDecoderFactories().clear();
            client.setUserAgentField(null);
            try {
                client.start();
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the HTTP client: " + e, e);
            }
            http = client;
        }
        return http;
    }

    /** Stops the connection pool and its threads; calls in flight fail. */
    @Override
    public void close() {
        HttpClient client;
        synchronized (this) {
            closed = true;
            client = http;
            http = null;
        }
        if (client != null) {
            try {
                client.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the HTTP client: " + e, e);
            }
        }
    }

    /** The node's answer, whatever its status. */
    public record Answer(int status, byte[] body, String version, boolean retryElsewhere) {}

    /**
     * Sends the call; the answer completes within {@code timeout} or fails with a timeout, whether the node sends
     * nothing at all or stalls in the middle of its answer (a frozen process accepts connections and never reads).
     */
    public CompletableFuture<Answer> call(InstanceRecord instance, String endpoint, String method,
            byte[] jsonArguments, Duration timeout) {
        CompletableFuture<ContentResponse> sent = new CompletableResponseListener(
                request(instance, endpoint, method, jsonArguments, timeout), MAX_ANSWER_BYTES).send();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        answer.whenComplete((done, failure) -> {
            if (failure instanceof java.util.concurrent.CancellationException) {
                sent.cancel(true); // aborts the request and its connection
            }
        });
        sent.whenComplete((response, failure) -> {
            if (failure == null) {
                answer.complete(answer(instance, response));
            } else {
                answer.completeExceptionally(asIoException(
                        failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure, timeout));
            }
        });
        return answer;
    }

    /**
     * Sends the call and waits for its answer on the calling thread, within {@code timeout} like {@link #call}.
     *
     * @throws java.net.ConnectException             the node refused the connection
     * @throws java.net.http.HttpConnectTimeoutException no connection within the connect timeout
     * @throws java.net.http.HttpTimeoutException     no complete answer within {@code timeout}
     */
    public Answer callBlocking(InstanceRecord instance, String endpoint, String method, byte[] jsonArguments,
            Duration timeout) throws java.io.IOException, InterruptedException {
        if (oneShot) {
            return callOverUrlConnection(instance, endpoint, method, jsonArguments, timeout);
        }
        CompletableFuture<Answer> answer = call(instance, endpoint, method, jsonArguments, timeout);
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw (java.io.IOException) e.getCause(); // call() names every failure as an IOException
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        }
    }

    /** The failure the way the JDK's client names it, which is how the router classifies it. */
    private java.io.IOException asIoException(Throwable failure, Duration timeout) {
        if (failure instanceof TimeoutException) {
            var named = new java.net.http.HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
            named.initCause(failure);
            return named;
        }
        if (failure instanceof java.net.SocketTimeoutException) { // Jetty's "Connect Timeout"
            var named = new java.net.http.HttpConnectTimeoutException("no connection within "
                    + connectTimeout.toMillis() + " ms");
            named.initCause(failure);
            return named;
        }
        return failure instanceof java.io.IOException io ? io : new java.io.IOException(failure.toString(), failure);
    }

    /**
     * {@link #callBlocking} over {@code HttpURLConnection}, failing the way the JDK's client does, so the router
     * classifies it the same: a refused connection as {@code ConnectException}, no connection in time as
     * {@code HttpConnectTimeoutException}, no answer in time as {@code HttpTimeoutException}.
     */
    private Answer callOverUrlConnection(InstanceRecord instance, String endpoint, String method,
            byte[] jsonArguments, Duration timeout) throws java.io.IOException {
        java.net.HttpURLConnection connection = (java.net.HttpURLConnection) uri(instance, endpoint, method).toURL()
                .openConnection();
        if (connection instanceof javax.net.ssl.HttpsURLConnection https && tls != null) {
            https.setSSLSocketFactory(tls.getSocketFactory());
        }
        connection.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
        connection.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        connection.setRequestMethod("POST");
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(jsonArguments.length);
        connection.setRequestProperty("Content-Type", "application/json");
        connection.setRequestProperty(VesselHeaders.DEADLINE_MS, Long.toString(timeout.toMillis()));
        try {
            try {
                connection.connect();
            } catch (java.net.SocketTimeoutException e) {
                throw new java.net.http.HttpConnectTimeoutException("no connection within "
                        + connectTimeout.toMillis() + " ms");
            }
            try (java.io.OutputStream out = connection.getOutputStream()) {
                out.write(jsonArguments);
            }
            int status = connection.getResponseCode();
            java.io.InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            byte[] body = in == null ? new byte[0] : in.readAllBytes();
            if (in != null) {
                in.close();
            }
            String version = connection.getHeaderField(VesselHeaders.VERSION);
            return new Answer(status, body, version == null ? instance.version() : version,
                    status == 503 && VesselHeaders.RETRY_OTHER.equalsIgnoreCase(
                            connection.getHeaderField(VesselHeaders.RETRY)));
        } catch (java.net.SocketTimeoutException e) {
            throw new java.net.http.HttpTimeoutException("no answer within " + timeout.toMillis() + " ms");
        }
    }

    private URI uri(InstanceRecord instance, String endpoint, String method) {
        return URI.create(scheme + host(instance.address()) + ":" + instance.port() + "/v1/call/"
                + segment(instance.service()) + "/" + segment(instance.version()) + "/" + segment(endpoint) + "/"
                + segment(method));
    }

    private Request request(InstanceRecord instance, String endpoint, String method, byte[] jsonArguments,
            Duration timeout) {
        return http().newRequest(uri(instance, endpoint, method))
                .method(HttpMethod.POST)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .headers(headers -> headers.put(VesselHeaders.DEADLINE_MS, Long.toString(timeout.toMillis())))
                .body(new BytesRequestContent("application/json", jsonArguments));
    }

    private static Answer answer(InstanceRecord instance, ContentResponse response) {
        String version = response.getHeaders().get(VesselHeaders.VERSION);
        return new Answer(
                response.getStatus(),
                response.getContent(),
                version == null ? instance.version() : version,
                response.getStatus() == 503
                        && VesselHeaders.RETRY_OTHER.equalsIgnoreCase(response.getHeaders().get(VesselHeaders.RETRY)));
    }

    private static String host(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
