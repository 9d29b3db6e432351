package dev.vessel.registry;

/**
 * The states of a container as seen in the registry and in node status. Only {@link #ACTIVE} containers are
 * registered as service instances; the others appear in {@link NodeStatus} only.
 */
public enum InstanceState {
    PENDING,
    FETCHING,
    STARTING,
    ACTIVE,
    DRAINING,
    STOPPED,
    FAILED;

    public boolean isTerminal() {
        return this == STOPPED || this == FAILED;
    }
}
