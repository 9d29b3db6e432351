package dev.vessel.host;

import static dev.vessel.host.NodeTestSupport.call;
import static dev.vessel.host.NodeTestSupport.release;
import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.InstanceState;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * A call body within the node's byte limit (1 MiB by default) can still be costly to turn into a tree; its tokens
 * and nesting are counted first, by streaming through it.
 */
class CallBodyLimitsTest extends SingleNodeTestBase {
    @Test
    void argumentsPastTheTokenOrDepthLimitAreRefusedBeforeATreeIsBuilt() throws Exception {
        assertThat(deploy(release("greeter-1.1.0")).state()).isEqualTo(InstanceState.ACTIVE);
        String manyObjects = "[" + "{},".repeat(200_000) + "{}]"; // 600 KB, 400,000 tokens
        assertRefused(call(node, "1.1.0", "greet", manyObjects), "at most 100000 JSON tokens");
        String deep = "[".repeat(100) + "]".repeat(100);
        assertRefused(call(node, "1.1.0", "greet", deep), "nest at most 64 deep");
        assertThat(call(node, "1.1.0", "greet", "[\"Ada\"]").statusCode()).isEqualTo(200);
    }

    private static void assertRefused(HttpResponse<String> response, String messagePart) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.body()).contains("\"error\":\"TOO_LARGE\"").contains(messagePart);
    }
}
