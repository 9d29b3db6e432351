package dev.vessel.host.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vessel.registry.HolderState;
import java.net.URI;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Which chunk goes to which holder, decided without a registry or a network. */
class ChunkSchedulerTest {
    private static final int CHUNKS = 4;
    private static final ArtifactFetcher.Settings PEERS = new ArtifactFetcher.Settings(ArtifactFetcher.Mode.PEERS, 4,
            2, Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofSeconds(10));
    private static final ArtifactFetcher.Settings ORIGIN_ONLY = new ArtifactFetcher.Settings(
            ArtifactFetcher.Mode.ORIGIN_ONLY, 4, 2, Duration.ofSeconds(30), Duration.ofSeconds(120),
            Duration.ofSeconds(10));

    private final Random random = new Random(42);

    /** A peer (not the origin) in {@code zone} holding {@code chunks}. */
    private static HolderState peer(String zone, int... chunks) {
        BitSet have = new BitSet();
        for (int chunk : chunks) {
            have.set(chunk);
        }
        return HolderState.of(zone, false, CHUNKS, have);
    }

    private static HolderState origin() {
        BitSet all = new BitSet();
        all.set(0, CHUNKS);
        return HolderState.of("eu", true, CHUNKS, all);
    }

    private static Map<String, URI> urls(Map<String, HolderState> holders) {
        Map<String, URI> urls = new HashMap<>();
        holders.keySet().forEach(node -> urls.put(node, URI.create("http://127.0.0.1:1/" + node)));
        return urls;
    }

    private List<ChunkScheduler.Assignment> plan(ArtifactFetcher.Settings settings, Map<String, HolderState> holders,
            List<Integer> missing, Map<String, Integer> perPeer, int slots, boolean stalled) {
        Map<String, HolderState> announced = new HashMap<>(holders);
        announced.put("self", peer("eu"));
        return new ChunkScheduler(settings, "self", "eu").plan(announced, holders, urls(holders), missing, perPeer,
                slots, stalled, random);
    }

    private static List<String> described(List<ChunkScheduler.Assignment> assignments) {
        return assignments.stream().map(a -> a.chunk() + "<-" + a.source().node()).toList();
    }

    @RepeatedTest(5)
    void theRarestChunkGoesFirst() {
        // chunk 3 only b has; chunk 0 both have
        List<ChunkScheduler.Assignment> plan = plan(PEERS, Map.of("a", peer("eu", 0), "b", peer("eu", 0, 3)),
                List.of(0, 3), Map.of(), 1, false);
        assertThat(described(plan)).containsExactly("3<-b");
    }

    @RepeatedTest(5)
    void aPeerInTheSameZoneThenTheLeastBusyIsAsked() {
        Map<String, HolderState> holders = Map.of("far", peer("us", 0), "near", peer("eu", 0));
        assertThat(described(plan(PEERS, holders, List.of(0), Map.of(), 1, false))).containsExactly("0<-near");
        Map<String, HolderState> twoNear = Map.of("busy", peer("eu", 0), "idle", peer("eu", 0));
        assertThat(described(plan(PEERS, twoNear, List.of(0), Map.of("busy", 1), 1, false)))
                .containsExactly("0<-idle");
    }

    @Test
    void noHolderGetsMoreThanItsLimitAndNoMoreThanTheFreeSlotsGoOut() {
        Map<String, HolderState> holders = Map.of("a", peer("eu", 0, 1, 2, 3));
        assertThat(described(plan(PEERS, holders, List.of(0, 1, 2, 3), Map.of(), 4, false)))
                .as("at most 2 chunks in flight per holder").hasSize(2);
        assertThat(plan(PEERS, holders, List.of(0, 1, 2, 3), Map.of("a", 2), 4, false))
                .as("a holder already at its limit").isEmpty();
        Map<String, HolderState> many = Map.of("a", peer("eu", 0, 1, 2, 3), "b", peer("eu", 0, 1, 2, 3));
        assertThat(plan(PEERS, many, List.of(0, 1, 2, 3), Map.of(), 3, false)).as("three free slots").hasSize(3);
    }

    @Test
    void theOriginGivesThisNodeOnlyTheChunksItOwnsUntilTheDownloadStalls() {
        // fetchers: "peer" and "self" (sorted: peer, self); chunk i belongs to fetcher i mod 2: 1 and 3 to self
        Map<String, HolderState> holders = Map.of("origin", origin(), "peer", peer("eu"));
        assertThat(described(plan(PEERS, holders, List.of(0, 1, 2, 3), Map.of(), 4, false)))
                .containsExactlyInAnyOrder("1<-origin", "3<-origin");
        assertThat(plan(PEERS, holders, List.of(0, 1, 2, 3), Map.of(), 4, true))
                .as("stalled: any chunk from the origin, up to its limit").hasSize(2);
    }

    @Test
    void aPeerThatHasTheChunkIsAskedBeforeTheOrigin() {
        Map<String, HolderState> holders = Map.of("origin", origin(), "peer", peer("eu", 1));
        assertThat(described(plan(PEERS, holders, List.of(1), Map.of(), 1, false))).containsExactly("1<-peer");
    }

    @Test
    void originOnlyModeNeverAsksAPeer() {
        Map<String, HolderState> holders = Map.of("origin", origin(), "peer", peer("eu", 0, 1, 2, 3));
        assertThat(plan(ORIGIN_ONLY, holders, List.of(0, 1), Map.of(), 4, false))
                .extracting(a -> a.source().node()).containsOnly("origin");
    }

    @Test
    void aHolderWithoutACheckedAddressIsNeverAsked() {
        Map<String, HolderState> holders = Map.of("forged", peer("eu", 0));
        Map<String, URI> none = new HashMap<>();
        none.put("forged", null);
        Map<String, HolderState> announced = new HashMap<>(holders);
        assertThat(new ChunkScheduler(PEERS, "self", "eu").plan(announced, holders, none, List.of(0), Map.of(), 4,
                false, random)).isEmpty();
    }
}
