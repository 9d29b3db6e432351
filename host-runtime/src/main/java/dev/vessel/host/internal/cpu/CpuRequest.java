package dev.vessel.host.internal.cpu;

/**
 * What a deployment asks for one container, in cores: {@code share} weighs it against its neighbours when the
 * node's cores are all busy (1.0 when not given: every container the same), {@code limit} caps it whatever the
 * others do (0 when not given: the node's cores less its reserve).
 */
public record CpuRequest(double share, double limit) {
    /** The weight of a container whose deployment gives no share. */
    public static final double DEFAULT_SHARE = 1.0;
    public static final CpuRequest DEFAULT = new CpuRequest(0, 0);

    public CpuRequest {
        if (!(share >= 0) || !(limit >= 0)) {
            throw new IllegalArgumentException("a CPU share and limit are cores, 0 or more; got " + share + " and "
                    + limit);
        }
    }

    /** The share to weigh with: the one given, else {@link #DEFAULT_SHARE}. */
    public double effectiveShare() {
        return share > 0 ? share : DEFAULT_SHARE;
    }
}
