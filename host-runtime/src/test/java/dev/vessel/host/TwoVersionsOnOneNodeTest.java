package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.get;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.ClusterReader;
import dev.vessel.registry.InstanceRecord;
import dev.vessel.registry.InstanceState;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class TwoVersionsOnOneNodeTest extends SingleNodeTestBase {

    @Test
    void twoVersionsOfOneBundleServeSideBySideAndStoppingOneLeavesTheOther() throws Exception {
        assertThat(deploy(release("greeter-1.0.0")).state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(deploy(release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);

        HttpResponse<String> old = call(node, "1.0.0", "greet", "[\"Ada\"]");
        assertThat(old.statusCode()).isEqualTo(200);
        assertThat(old.body()).isEqualTo("\"Hello, Ada! (greeter 1.0.0)\"");
        assertThat(old.headers().firstValue("Vessel-Version")).contains("1.0.0");

        HttpResponse<String> current = call(node, "1.1.0", "greetAll", "[[\"Ada\",\"Grace\"]]");
        assertThat(current.statusCode()).isEqualTo(200);
        assertThat(current.body()).isEqualTo("\"Hello, Ada and Grace! (greeter 1.1.0)\"");
        assertThat(current.headers().firstValue("Vessel-Version")).contains("1.1.0");
        // the method 1.1.0 added does not exist in the 1.0.0 container's class space
        assertThat(call(node, "1.0.0", "greetAll", "[[\"Ada\"]]").statusCode()).isEqualTo(404);

        assertThat(new ClusterReader(reader).instances("greeter"))
                .extracting(InstanceRecord::version)
                .containsExactly("1.0.0", "1.1.0");

        ContainerInfo stopped = stop("greeter", "1.0.0");
        assertThat(stopped.state()).isEqualTo(InstanceState.STOPPED);

        HttpResponse<String> refused = call(node, "1.0.0", "greet", "[\"Ada\"]");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Vessel-Retry")).contains("other");
        assertThat(call(node, "1.1.0", "greet", "[\"Ada\"]").body()).isEqualTo("\"Hello, Ada! (greeter 1.1.0)\"");
        assertThat(new ClusterReader(reader).instances("greeter"))
                .extracting(InstanceRecord::version)
                .containsExactly("1.1.0");
    }

    @Test
    void deployingWhatRunsChangesNothingAndAStoppedReleaseRunsAgain() {
        ContainerInfo first = deploy(release("greeter-1.0.0"));
        ContainerInfo again = deploy(release("greeter-1.0.0"));
        assertThat(again.state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(again.since()).as("the same container, never restarted").isEqualTo(first.since());
        assertThat(node.containers()).hasSize(1);
        assertThat(stop("greeter", "1.0.0").state()).isEqualTo(InstanceState.STOPPED);
        ContainerInfo restarted = deploy(release("greeter-1.0.0"));
        assertThat(restarted.state()).isEqualTo(InstanceState.ACTIVE);
        assertThat(restarted.since()).isGreaterThan(first.since());
    }

    @Test
    void healthListsEveryContainerWithItsState() throws Exception {
        deploy(release("greeter-2.0.0"));
        HttpResponse<String> health = get(node, "/v1/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body())
                .contains("\"status\":\"UP\"")
                .contains("\"node\":\"n1\"")
                .contains("\"id\":\"greeter-2.0.0\"")
                .contains("\"state\":\"ACTIVE\"");
    }
}
