package dev.vessel.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code freshPerMethod}: every method its own cluster, each gone (nodes, ZooKeeper, files) when the method ends. */
@VesselTest(freshPerMethod = true)
class FreshClusterPerMethodTest {
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();
    private static final Set<Path> DIRECTORIES = ConcurrentHashMap.newKeySet();

    @Test
    void one(VesselTestCluster cluster) {
        remember(cluster);
    }

    @Test
    void two(VesselTestCluster cluster) {
        remember(cluster);
    }

    private static void remember(VesselTestCluster cluster) {
        assertThat(cluster.node(0).running()).isTrue();
        SEEN.add(cluster.zkConnect());
        assertThat(cluster.directory()).isDirectory();
        DIRECTORIES.add(cluster.directory());
    }

    @AfterAll
    static void eachMethodHadItsOwnCluster() {
        assertThat(SEEN).hasSize(2);
        for (Path dir : DIRECTORIES) {
            assertThat(Files.exists(dir)).isFalse();
        }
    }
}
