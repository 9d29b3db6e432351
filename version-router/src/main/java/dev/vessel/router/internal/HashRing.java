package dev.vessel.router.internal;

import java.util.Arrays;

/**
 * A consistent-hash ring over one version's instances: {@code virtualNodes} points per instance, sorted. Each
 * point packs the upper 48 bits of its hash with the owner's index in the lower 16, so the ring is one sorted
 * {@code long[]} and a lookup is a binary search that allocates nothing.
 *
 * <p>An instance's points depend only on its id, so adding or removing an instance moves only the keys that land
 * on that instance's points.
 */
final class HashRing {
    static final int MAX_INSTANCES = 1 << 16;
    private static final long OWNER_MASK = MAX_INSTANCES - 1;

    private final long[] points;

    private HashRing(long[] points) {
        this.points = points;
    }

    static HashRing build(String[] instanceIds, int virtualNodes) {
        if (instanceIds.length > MAX_INSTANCES) {
            throw new IllegalArgumentException("a hash ring holds at most " + MAX_INSTANCES + " instances per version");
        }
        long[] points = new long[instanceIds.length * virtualNodes];
        int next = 0;
        for (int owner = 0; owner < instanceIds.length; owner++) {
            for (int v = 0; v < virtualNodes; v++) {
                points[next++] = (hash(instanceIds[owner] + '#' + v) & ~OWNER_MASK) | owner;
            }
        }
        Arrays.sort(points);
        return new HashRing(points);
    }

    /** The ring position a key starts its clockwise walk at. */
    int start(long keyHash) {
        int found = Arrays.binarySearch(points, keyHash & ~OWNER_MASK);
        int position = found >= 0 ? found : -found - 1;
        return position == points.length ? 0 : position;
    }

    int size() {
        return points.length;
    }

    /** The owner (instance index) of the point {@code steps} clockwise from {@code start}. */
    int ownerAt(int start, int steps) {
        int position = start + steps;
        if (position >= points.length) {
            position -= points.length;
        }
        return (int) (points[position] & OWNER_MASK);
    }

    /** 64-bit FNV-1a over the chars, then MurmurHash3's finalizer so nearby strings scatter; allocates nothing. */
    static long hash(CharSequence value) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            h ^= value.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
