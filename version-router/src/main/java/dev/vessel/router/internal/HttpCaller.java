package dev.vessel.router.internal;

import dev.vessel.registry.InstanceRecord;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sends one {@code /v1/call} request to one instance's node over HTTP/1.1. */
public final class HttpCaller {
    public static final String RETRY_HEADER = "Vessel-Retry";
    public static final String VERSION_HEADER = "Vessel-Version";

    private final HttpClient http;
    private final Duration callTimeout;

    public HttpCaller(Duration connectTimeout, Duration callTimeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .build();
        this.callTimeout = callTimeout;
    }

    /** The node's answer, whatever its status. */
    public record Answer(int status, byte[] body, String version, boolean retryElsewhere) {}

    public Answer call(InstanceRecord instance, String endpoint, String method, byte[] jsonArguments)
            throws IOException, InterruptedException {
        URI uri = URI.create("http://" + host(instance.address()) + ":" + instance.port() + "/v1/call/"
                + segment(instance.service()) + "/" + segment(instance.version()) + "/" + segment(endpoint) + "/"
                + segment(method));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(callTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonArguments))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Answer(
                response.statusCode(),
                response.body(),
                response.headers().firstValue(VERSION_HEADER).orElse(instance.version()),
                response.statusCode() == 503
                        && response.headers().firstValue(RETRY_HEADER).map("other"::equalsIgnoreCase).orElse(false));
    }

    private static String host(String address) {
        return address.contains(":") ? "[" + address + "]" : address;
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
