package dev.vessel.host;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node reached through a forwarded port advertises that port. The kit's clusters use it for every node (their
 * relays), where {@code VesselTestClusterTest} checks that instances carry it and calls go through it.
 */
class AdvertisedPortTest {
    @TempDir
    Path data;

    @Test
    void anAdvertisedPortOutOfRangeIsRefused() {
        assertThatThrownBy(() -> NodeConfig.builder("127.0.0.1:2181", data).advertisePort(70_000).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("advertisePort must be 0-65535 (0 advertises the port the node serves on); got 70000");
    }
}
