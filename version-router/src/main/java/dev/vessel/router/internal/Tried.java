package dev.vessel.router.internal;

/** The instances one call has already tried; tiny and allocated once per call, never per pick. */
public final class Tried {
    /** For picks that exclude nothing. */
    public static final Tried NONE = new Tried(0);

    private final InstanceStats[] tried;
    private int count;

    public Tried(int capacity) {
        this.tried = new InstanceStats[capacity];
    }

    boolean contains(InstanceStats stats) {
        for (int i = 0; i < count; i++) {
            if (tried[i] == stats) {
                return true;
            }
        }
        return false;
    }

    public void add(Target target) {
        tried[count++] = target.stats();
    }

    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }
}
