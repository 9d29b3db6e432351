package com.example.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vessel.router.CallOptions;
import dev.vessel.test.VesselTest;
import dev.vessel.test.VesselTestCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Both releases of calc on a real two-node Vessel cluster: called by range, and through a killed node. */
@VesselTest(nodes = 2)
class CalcClusterTest {
    static Path release(String name) {
        return Path.of(System.getProperty("calc.releases"), name + ".jar");
    }

    @Test
    void callersGetTheNewestVersionInTheirRangeAndRideOutAKilledNode(VesselTestCluster cluster) {
        cluster.deploy("calc", release("calc-release-1.0"));
        cluster.deploy("calc", release("calc-release-1.1"));
        cluster.await().service("calc").resolves("[1.0,2.0)", "1.1.0");
        cluster.await().service("calc").resolves("[1.0,1.1)", "1.0.0");

        assertEquals(5L, cluster.client().call("calc", "[1.0,2.0)", "calc", "add", 2, 3).as(Long.class));
        assertEquals("1.1.0", cluster.client().call("calc", "[1.0,2.0)", "calc", "multiply", 2, 3).version());
        assertEquals("1.0.0", cluster.client().call("calc", "[1.0,1.1)", "calc", "add", 2, 3).version());

        cluster.node(0).kill();
        cluster.await().service("calc").hasInstances("1.1.0", 1);
        for (int i = 0; i < 20; i++) {
            var result = cluster.client().call(CallOptions.idempotentCall(), "calc", "[1.0,2.0)", "calc",
                    "multiply", 6, 7);
            assertEquals(42L, result.as(Long.class));
            assertTrue(result.instanceId().startsWith("node-2."), result.instanceId());
        }
    }
}
