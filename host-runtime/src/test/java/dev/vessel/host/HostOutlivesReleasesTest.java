package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.post;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.vessel.registry.InstanceState;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A release cannot end its host (System.exit and friends are woven out), cannot hang it with an activator that
 * never returns, and threads it leaves behind are reported. If the guard failed, System.exit would end this very
 * test JVM and Surefire would report the fork as crashed.
 */
class HostOutlivesReleasesTest extends SingleNodeTestBase {
    @Override
    protected NodeConfig.Builder configure(NodeConfig.Builder config) {
        return config.readyTimeout(Duration.ofSeconds(2)).drainTimeout(Duration.ofSeconds(1)).drainDelay(Duration.ZERO);
    }

    @BeforeEach
    void deployGreeter() {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit", "runtimeExit", "halt", "exitByReference", "exitByBoundReference",
            "haltByUnboundReference", "exitByReflection", "haltByDeclaredMethod", "exitByMethodHandle",
            "haltByMethodHandle"})
    void aReleaseThatEndsTheProcessOnlyFailsItsOwnCall(String method) throws Exception {
        assertThat(deploy(release("hostile")).state()).isEqualTo(InstanceState.ACTIVE);
        HttpResponse<String> answer = post(node, "/v1/call/hostile/1.0.0/hostile/" + method, "[3]");
        assertThat(answer.statusCode()).isEqualTo(500);
        assertThat(answer.body()).contains("METHOD_THREW").contains("java.lang.SecurityException")
                .contains("refused: a release cannot end the Vessel host");
        assertThat(post(node, "/v1/call/hostile/1.0.0/hostile/ping", "[]").body()).isEqualTo("\"pong\"");
        assertThat(post(node, "/v1/call/greeter/1.0.0/greeter/greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
    }

    @Test
    void aReleaseThatListsTheExitMethodsFindsNone() throws Exception {
        assertThat(deploy(release("hostile")).state()).isEqualTo(InstanceState.ACTIVE);
        HttpResponse<String> answer = post(node, "/v1/call/hostile/1.0.0/hostile/exitByListing", "[3]");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("\"still here: no exit among the methods listed\"");
    }

    @Test
    void anActivatorThatNeverReturnsFailsItsContainerWithinTheReadyTimeout() throws Exception {
        ContainerInfo info = deploy(release("hanging-activator"));
        assertThat(info.state()).isEqualTo(InstanceState.FAILED);
        assertThat(info.error()).startsWith("did not start within 2000 ms")
                .contains("HangingActivator.start");
        // the stuck thread cannot be stopped: it is reported, and the host goes on serving
        assertThat(info.leftoverThreads()).anySatisfy(name -> assertThat(name).startsWith("vessel-start-"));
        assertThat(get(node, "/v1/health").statusCode()).isEqualTo(200);
        assertThat(post(node, "/v1/call/greeter/1.0.0/greeter/greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
    }

    @Test
    void threadsAReleaseLeavesBehindAreReportedAfterItStops() throws Exception {
        // (it inherits the daemon flag of the container thread that made it, so it cannot keep the JVM alive either)
        assertThat(deploy(release("hostile")).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(post(node, "/v1/call/hostile/1.0.0/hostile/leaveThread", "[\"stray-worker\"]").body())
                .isEqualTo("\"stray-worker\"");
        ContainerInfo stopped = stop("hostile", "1.0.0");
        assertThat(stopped.state()).isEqualTo(InstanceState.STOPPED);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(node.containers())
                .filteredOn(c -> c.service().equals("hostile")).singleElement()
                .satisfies(c -> assertThat(c.leftoverThreads()).containsExactly("stray-worker")));
    }
}
