package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

/**
 * Node side of the registry: registers and removes the instances of this node's containers.
 *
 * <p>Registrations are ephemeral and belong to the connection's session. Curator's x-discovery re-registers
 * every instance it knows when a lost session is replaced, so a node needs no reconnect logic of its own.
 */
public final class InstanceRegistry {
    private final RegistryConnection connection;

    public InstanceRegistry(RegistryConnection connection) {
        this.connection = requireNonNull(connection, "connection cannot be null");
    }

    public void register(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
        try {
            connection.discovery().registerService(record.toServiceInstance());
        } catch (Exception e) {
            throw new RegistryException("could not register " + record.id() + " of " + record.service() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Rewrites a registered instance's record in place (e.g. a new weight); it never leaves the registry. */
    public void update(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
        try {
            connection.discovery().updateService(record.toServiceInstance());
        } catch (Exception e) {
            throw new RegistryException("could not update " + record.id() + " of " + record.service() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Removes the instance; removing one that is not registered does nothing. */
    public void unregister(InstanceRecord record) {
        requireNonNull(record, "record cannot be null");
        try {
            connection.discovery().unregisterService(record.toServiceInstance());
        } catch (Exception e) {
            throw new RegistryException("could not unregister " + record.id() + " of " + record.service() + ": "
                    + e.getMessage(), e);
        }
    }
}
