package dev.vessel.router.internal;

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
    public static final String RETRY_HEADER = "Vessel-Retry";
    public static final String VERSION_HEADER = "Vessel-Version";
    /** How long the caller waits for this attempt, in milliseconds: the node refuses work it would start later. */
    public static final String DEADLINE_HEADER = "Vessel-Deadline-Ms";

    private final HttpClient http;
    private final String scheme;

    /** @param tls null for plain HTTP, else the context HTTPS connections to nodes are made with */
    public HttpCaller(Duration connectTimeout, javax.net.ssl.SSLContext tls) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout);
        this.http = (tls == null ? builder : builder.sslContext(tls)).build();
        this.scheme = tls == null ? "http://" : "https://";
    }

    /** The node's answer, whatever its status. */
    public record Answer(int status, byte[] body, String version, boolean retryElsewhere) {}

    /**
     * Sends the call; the answer completes within {@code timeout} or fails with a timeout, whether the node sends
     * nothing at all or stalls in the middle of its answer (a frozen process accepts connections and never reads).
     */
    public CompletableFuture<Answer> call(InstanceRecord instance, String endpoint, String method,
            byte[] jsonArguments, Duration timeout) {
        return http.sendAsync(request(instance, endpoint, method, jsonArguments, timeout),
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
        return answer(instance, http.send(request(instance, endpoint, method, jsonArguments, timeout),
                HttpResponse.BodyHandlers.ofByteArray()));
    }

    private HttpRequest request(InstanceRecord instance, String endpoint, String method, byte[] jsonArguments,
            Duration timeout) {
        URI uri = URI.create(scheme + host(instance.address()) + ":" + instance.port() + "/v1/call/"
                + segment(instance.service()) + "/" + segment(instance.version()) + "/" + segment(endpoint) + "/"
                + segment(method));
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(DEADLINE_HEADER, Long.toString(timeout.toMillis()))
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonArguments))
                .build();
    }

    private static Answer answer(InstanceRecord instance, HttpResponse<byte[]> response) {
        return new Answer(
                response.statusCode(),
                response.body(),
                response.headers().firstValue(VERSION_HEADER).orElse(instance.version()),
                response.statusCode() == 503 && response.headers().firstValue(RETRY_HEADER)
                        .map("other"::equalsIgnoreCase).orElse(false));
    }

    private static String host(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
