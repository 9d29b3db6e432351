package dev.vessel.registry;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;

/**
 * A thread given a retry budget stops retrying a registry operation once it is spent: with the server gone, the
 * operation fails after one connection wait (5 s) instead of the connection's tens of seconds of backoff.
 */
class RetryBudgetTest extends RegistryTestBase {
    @Test
    void anOperationWithinABudgetFailsSoonAfterItIsSpent() throws Exception {
        node.curator().create().forPath("/budget", "x".getBytes());
        zk.stop();
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> {
                RetryBudget.start(Duration.ofSeconds(1));
                try {
                    assertThatThrownBy(() -> node.curator().getData().forPath("/budget"))
                            .isInstanceOf(KeeperException.ConnectionLossException.class);
                } finally {
                    RetryBudget.clear();
                }
            });
        } finally {
            zk.restart();
        }
    }
}
