package dev.vessel.router.internal;

import dev.vessel.protocol.VesselHeaders;
import dev.vessel.registry.InstanceRecord;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends one {@code /v1/call} request to one instance's node over HTTP/1.1. */
public final class HttpCaller {
    private final Duration connectTimeout;
    private final javax.net.ssl.SSLContext tls;
    private final boolean oneShot;
    private final String scheme;
    /** Made on first use: a one-shot caller needs it only for a hedge. */
    private volatile HttpClient http;

    /** @param tls null for plain HTTP, else the context HTTPS connections to nodes are made with */
    public HttpCaller(Duration connectTimeout, javax.net.ssl.SSLContext tls) {
        this(connectTimeout, tls, false);
    }

    /**
     * @param oneShot for a process that makes a call or two and exits (the {@code vessel} CLI): calls on the
     *                calling thread go over {@code HttpURLConnection}. The JDK's {@code HttpClient} keeps a
     *                selector thread in native code, and the JVM waits about 300 ms at exit for such threads
     *                before it ends; it also takes far longer to start for one request.
     */
    public HttpCaller(Duration connectTimeout, javax.net.ssl.SSLContext tls, boolean oneShot) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
        this.oneShot = oneShot;
        this.scheme = tls == null ? "http://" : "https://";
    }

    private HttpClient http() {
        HttpClient client = http;
        if (client == null) {
            synchronized (this) {
                client = http;
                if (client == null) {
                    HttpClient.Builder builder = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(connectTimeout);
                    client = (tls == null ? builder : builder.sslContext(tls)).build();
                    http = client;
                }
            }
        }
        return client;
    }

    /** The node's answer, whatever its status. */
    public record Answer(int status, byte[] body, String version, boolean retryElsewhere) {}

    /**
     * Sends the call; the answer completes within {@code timeout} or fails with a timeout, whether the node sends
     * nothing at all or stalls in the middle of its answer (a frozen process accepts connections and never reads).
     */
    public CompletableFuture<Answer> call(InstanceRecord instance, String endpoint, String method,
            byte[] jsonArguments, Duration timeout) {
        return http().sendAsync(request(instance, endpoint, method, jsonArguments, timeout),
                        HttpResponse.BodyHandlers.ofByteArray())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .thenApply(response -> answer(instance, response));
    }

    /**
     * Sends the call on the calling thread, which costs about half of {@link #call}'s hand-offs between threads; the
     * timeout covers the wait for the answer's headers (a node that never answers), not a body that stalls after
     * them.
     */
    public Answer callBlocking(InstanceRecord instance, String endpoint, String method, byte[] jsonArguments,
            Duration timeout) throws java.io.IOException, InterruptedException {
        if (oneShot) {
            return callOverUrlConnection(instance, endpoint, method, jsonArguments, timeout);
        }
        return answer(instance, http().send(request(instance, endpoint, method, jsonArguments, timeout),
                HttpResponse.BodyHandlers.ofByteArray()));
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

    private HttpRequest request(InstanceRecord instance, String endpoint, String method, byte[] jsonArguments,
            Duration timeout) {
        URI uri = uri(instance, endpoint, method);
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(VesselHeaders.DEADLINE_MS, Long.toString(timeout.toMillis()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonArguments))
                .build();
    }

    private static Answer answer(InstanceRecord instance, HttpResponse<byte[]> response) {
        return new Answer(
                response.statusCode(),
                response.body(),
                response.headers().firstValue(VesselHeaders.VERSION).orElse(instance.version()),
                response.statusCode() == 503 && response.headers().firstValue(VesselHeaders.RETRY)
                        .map(VesselHeaders.RETRY_OTHER::equalsIgnoreCase).orElse(false));
    }

    private static String host(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
