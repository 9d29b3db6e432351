package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.InstanceState;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A node stopping under calls that keep coming to it on kept-alive connections (routers its registry has not told,
 * or cannot): from the moment it stops, it refuses new connections and answers what comes on open ones {@code 503}
 * with {@code Vessel-Retry: other}; every call is answered so or {@code 200}, or refused at connect, all of which
 * a router handles, and none finds its connection closed under it with no answer, which a router could not retry
 * unless the call was idempotent.
 */
class StoppingNodeTest extends SingleNodeTestBase {
    @Test
    void callsToAStoppingNodeAreAnsweredOrRefusedNeverCutOff() throws Exception {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest call = HttpRequest.newBuilder(node.url().resolve("/v1/call/greeter/1.0.0/greeter/greet"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[\"Ada\"]")).build();
        List<String> cutOff = new CopyOnWriteArrayList<>();
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger movedElsewhere = new AtomicInteger();
        AtomicInteger refusedAsStopping = new AtomicInteger();
        List<CompletableFuture<Void>> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            callers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 200_000; i++) {
                    try {
                        HttpResponse<String> answer = http.send(call, HttpResponse.BodyHandlers.ofString());
                        if (answer.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else if (answer.statusCode() == 503
                                && answer.headers().firstValue("Vessel-Retry").orElse("").equals("other")) {
                            movedElsewhere.incrementAndGet();
                            if (answer.body().contains("this node is stopping")) {
                                refusedAsStopping.incrementAndGet();
                            }
                        } else {
                            cutOff.add(answer.statusCode() + " " + answer.body());
                        }
                    } catch (ConnectException refused) {
                        return; // the node is gone: a router retries a refused connection anywhere
                    } catch (java.io.IOException e) {
                        cutOff.add(e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 200);
        node.close();
        for (CompletableFuture<Void> caller : callers) {
            caller.get(60, TimeUnit.SECONDS);
        }
        assertThat(cutOff).as("calls cut off, or answered with what a router cannot retry").isEmpty();
        assertThat(refusedAsStopping.get()).as("calls the stopping node refused as a whole, on open connections")
                .isPositive();
        assertThat(movedElsewhere.get()).isGreaterThanOrEqualTo(refusedAsStopping.get());
    }
}
