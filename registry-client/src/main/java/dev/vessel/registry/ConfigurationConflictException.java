package dev.vessel.registry;

/**
 * A service's configuration gained a revision between reading and writing it: someone else's change won.
 * Nothing was written; read the new revision and decide again.
 */
public class ConfigurationConflictException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public ConfigurationConflictException(String message) {
        super(message);
    }
}
