package dev.vessel.registry;

/** No ZooKeeper server of the registry answered in time: an outage (or a wrong address), not a refusal. */
public class RegistryUnreachableException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryUnreachableException(String message) {
        super(message);
    }
}
