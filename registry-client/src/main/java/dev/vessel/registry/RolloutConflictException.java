package dev.vessel.registry;

/**
 * A service's rollout record or desired state changed between reading and writing: another writer (a person's
 * verb, another driver) won. Nothing was written; read again and decide again.
 */
public class RolloutConflictException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RolloutConflictException(String message) {
        super(message);
    }
}
