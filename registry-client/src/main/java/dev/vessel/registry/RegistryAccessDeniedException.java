package dev.vessel.registry;

/** The registry is secured and refuses this session's identity (none, or the wrong one) what it asked for. */
public class RegistryAccessDeniedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    public RegistryAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
