package dev.vessel.host.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vessel.host.internal.http.BoundedBody;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One instant PromQL query against a Prometheus server's HTTP API ({@code GET /api/v1/query}), for a rule's query
 * gates: the value of the query now, the largest if it has several series. A query the server refuses, a server that
 * does not answer, or a query without series is an {@link Unanswered} saying which.
 */
public final class PrometheusQuery {
    /** How long a query may take: an evaluation waits for it. */
    public static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    private PrometheusQuery() {}

    /** Why a query has no value. */
    public static final class Unanswered extends Exception {
        private static final long serialVersionUID = 1L;

        Unanswered(String message) {
            super(message);
        }
    }

    /** The query with the rollout's names in place of {@code {{service}}}, {@code {{canary}}}, {@code {{baseline}}}. */
    public static String expand(String query, String service, String canary, String baseline) {
        return query.replace("{{service}}", service).replace("{{canary}}", canary)
                .replace("{{baseline}}", baseline == null ? "" : baseline);
    }

    /** A gate's query answers with a few series; an answer past this is not read further. */
    static final long MAX_ANSWER_BYTES = 8L << 20;

    /** The value of {@code query} now on the server at {@code prometheus}. */
    public static double value(URI prometheus, String query) throws Unanswered, InterruptedException {
        URI uri = prometheus.resolve("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        HttpResponse<byte[]> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    BoundedBody.of(MAX_ANSWER_BYTES, "the answer"));
        } catch (java.io.IOException e) {
            throw new Unanswered("Prometheus at " + prometheus + " did not answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new Unanswered("Prometheus at " + prometheus + " answered HTTP " + response.statusCode()
                    + " with something that is not its API's JSON");
        }
        if (!"success".equals(body.path("status").asText())) {
            throw new Unanswered("Prometheus refused the query: " + body.path("errorType").asText("error") + ": "
                    + body.path("error").asText("HTTP " + response.statusCode()));
        }
        JsonNode data = body.path("data");
        double largest = Double.NaN;
        if (data.path("resultType").asText().equals("scalar")) {
            largest = number(data.path("result"));
        } else {
            for (JsonNode series : data.path("result")) {
                double value = number(series.path("value"));
                if (!Double.isNaN(value) && (Double.isNaN(largest) || value > largest)) {
                    largest = value;
                }
            }
        }
        if (Double.isNaN(largest)) {
            throw new Unanswered("the query returned no series (nothing matches it, or its value is NaN)");
        }
        return largest;
    }

    /** A sample {@code [time, "value"]}'s value; NaN when it is none. */
    private static double number(JsonNode sample) {
        try {
            return Double.parseDouble(sample.path(1).asText("NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
