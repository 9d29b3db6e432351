package dev.vessel.host.internal.artifact;

import dev.vessel.registry.HolderState;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Which missing chunks of one artifact to ask of which holders next: the rarest chunks first (ties in random
 * order, so fetchers do not all chase the same chunk), same-zone peers before others, the least busy first, at
 * most {@code perPeerLimit} chunks in flight per holder. The origin only when no peer has the chunk, and then only
 * for the chunks this node "owns" — chunk {@code i} belongs to the {@code i mod n}-th of the n fetchers — so the
 * fetchers split the origin's chunks between them instead of all pulling the same ones; once the download
 * stalls, any chunk may come from the origin. A pure function of what the download knows.
 */
final class ChunkScheduler {
    /** A holder to ask for a chunk. */
    record Source(String node, URI url, boolean origin, boolean complete, String zone) {}

    /** Ask {@code source} for {@code chunk}. */
    record Assignment(int chunk, Source source) {}

    private final ArtifactFetcher.Settings settings;
    private final String selfId;
    private final String zone;

    ChunkScheduler(ArtifactFetcher.Settings settings, String selfId, String zone) {
        this.settings = settings;
        this.selfId = selfId;
        this.zone = zone;
    }

    /**
     * The chunks to ask for now, at most {@code slots} of them.
     *
     * @param announced every holder that announced the artifact, this node included (they decide who owns which
     *                  chunk of the origin's)
     * @param usable    the holders that may be asked now (not this node, not avoided, not backing off)
     * @param urls      each usable holder's checked base URL; one without is never asked (nor shown a credential)
     * @param missing   the chunks still missing and not in flight
     * @param perPeer   chunks in flight per holder; not changed
     * @param stalled   whether the download has gained no chunk for the origin fallback time
     */
    List<Assignment> plan(Map<String, HolderState> announced, Map<String, HolderState> usable, Map<String, URI> urls,
            List<Integer> missing, Map<String, Integer> perPeer, int slots, boolean stalled, Random random) {
        List<Integer> order = new ArrayList<>(missing);
        Map<Integer, Integer> rarity = new HashMap<>();
        for (int chunk : order) {
            rarity.put(chunk, (int) usable.values().stream().filter(s -> s.has(chunk)).count());
        }
        Collections.shuffle(order, random); // ties in random order: the sort below is stable
        order.sort(Comparator.comparingInt(rarity::get));
        List<String> participants = new ArrayList<>();
        announced.forEach((node, state) -> {
            if (!state.origin()) {
                participants.add(node);
            }
        });
        if (!participants.contains(selfId)) {
            participants.add(selfId);
        }
        participants.sort(null);
        Map<String, Integer> busy = new HashMap<>(perPeer);
        List<Assignment> assignments = new ArrayList<>();
        for (int chunk : order) {
            if (assignments.size() >= slots) {
                break;
            }
            Source source = pick(chunk, usable, urls, participants, busy, stalled, random);
            if (source != null) {
                assignments.add(new Assignment(chunk, source));
                busy.merge(source.node(), 1, Integer::sum);
            }
        }
        return assignments;
    }

    private Source pick(int chunk, Map<String, HolderState> usable, Map<String, URI> urls, List<String> participants,
            Map<String, Integer> busy, boolean stalled, Random random) {
        List<Source> candidates = new ArrayList<>();
        for (Map.Entry<String, HolderState> entry : usable.entrySet()) {
            HolderState state = entry.getValue();
            if (!state.has(chunk) || busy.getOrDefault(entry.getKey(), 0) >= settings.perPeerLimit()) {
                continue;
            }
            if (settings.mode() == ArtifactFetcher.Mode.ORIGIN_ONLY && !state.origin()) {
                continue;
            }
            if (settings.mode() == ArtifactFetcher.Mode.PEERS && state.origin() && !stalled
                    && !participants.get(chunk % participants.size()).equals(selfId)
                    && usable.values().stream().anyMatch(s -> !s.origin())) {
                continue; // another fetcher owns this chunk: it will come from that fetcher
            }
            URI url = urls.get(entry.getKey());
            if (url == null) {
                continue;
            }
            candidates.add(new Source(entry.getKey(), url, state.origin(), state.complete(), state.zone()));
        }
        Collections.shuffle(candidates, random); // equals in random order
        return candidates.stream().min(Comparator
                .comparing((Source s) -> s.origin())
                .thenComparing(s -> !zone.equals(s.zone()))
                .thenComparingInt(s -> busy.getOrDefault(s.node(), 0)))
                .orElse(null);
    }
}
