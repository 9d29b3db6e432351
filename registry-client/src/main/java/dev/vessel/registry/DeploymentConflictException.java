package dev.vessel.registry;

/**
 * The deployment changed between reading and writing it: someone else's change won. Nothing was written;
 * read the new state and decide again.
 */
public class DeploymentConflictException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public DeploymentConflictException(String message) {
        super(message);
    }
}
