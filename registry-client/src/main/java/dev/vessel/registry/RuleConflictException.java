package dev.vessel.registry;

/**
 * A service's rollout rule gained a revision between reading and writing it: someone else's change won. Nothing
 * was written; read the new revision and decide again.
 */
public class RuleConflictException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RuleConflictException(String message) {
        super(message);
    }
}
