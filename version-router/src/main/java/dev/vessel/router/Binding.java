package dev.vessel.router;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which version a (service, range) pair resolves to right now, kept current by the client's routing table, and
 * who wants to hear when that changes. Obtain one from {@link VesselClient#binding} or, for a typed proxy, from
 * {@link VesselClient#bindingOf}.
 */
public final class Binding {
    private static final Logger LOG = LoggerFactory.getLogger(Binding.class);

    private final String service;
    private final VersionRange range;
    private final List<Consumer<Optional<Version>>> listeners = new CopyOnWriteArrayList<>();
    private volatile Optional<Version> current;

    Binding(String service, VersionRange range, Optional<Version> initial) {
        this.service = service;
        this.range = range;
        this.current = initial;
    }

    public String service() {
        return service;
    }

    public VersionRange range() {
        return range;
    }

    /** The version calls go to now (the newest ACTIVE one in range), or empty if none is. */
    public Optional<Version> current() {
        return current;
    }

    /** {@code listener} runs with the new version (or empty) each time it changes, on the registry's thread. */
    public void onChange(Consumer<Optional<Version>> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener cannot be null"));
    }

    void update(Optional<Version> resolved) {
        if (resolved.equals(current)) {
            return;
        }
        current = resolved;
        for (Consumer<Optional<Version>> listener : listeners) {
            try {
                listener.accept(resolved);
            } catch (RuntimeException e) {
                LOG.warn("a binding listener for {} {} failed; the others still run", service, range, e);
            }
        }
    }
}
