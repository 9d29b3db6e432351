package com.example.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vessel.router.CallOptions;
import dev.vessel.test.VesselTest;
import dev.vessel.test.VesselTestCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** calc on two nodes, one of them frozen as by SIGSTOP: callers are served by the other, and it comes back. */
@VesselTest(nodes = 2)
class CalcFrozenNodeTest {
    @Test
    void aFrozenNodeLeavesTheRegistryAndComesBackWhenThawed(VesselTestCluster cluster) {
        cluster.deploy("calc", CalcClusterTest.release("calc-release-1.1"));
        cluster.await().service("calc").hasInstances("1.1.0", 2);

        cluster.node(0).freeze();
        // its registry session expires after 15 s without a ping
        cluster.await().within(Duration.ofSeconds(40)).service("calc").hasInstances("1.1.0", 1);
        for (int i = 0; i < 20; i++) {
            var result = cluster.client().call(CallOptions.idempotentCall(), "calc", "[1.0,2.0)", "calc", "add", i, 1);
            assertEquals(i + 1L, result.as(Long.class));
            assertTrue(result.instanceId().startsWith("node-2."), result.instanceId());
        }

        cluster.node(0).thaw();
        cluster.await().service("calc").hasInstances("1.1.0", 2);
    }
}
