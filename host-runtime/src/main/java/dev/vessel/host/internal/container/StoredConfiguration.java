package dev.vessel.host.internal.container;

import static java.util.Objects.requireNonNull;

import dev.vessel.host.ContainerId;
import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.ConfigurationStore;
import dev.vessel.registry.NodeRecord;
import java.util.HashSet;
import java.util.Set;

/**
 * A container's configuration as the registry's newest revision of its service gives it: the entries aimed at
 * its version and this node, read fresh each time, so a starting container never starts on a stale one.
 */
public final class StoredConfiguration implements Container.ConfigurationSource {
    private final ConfigurationStore store;
    private final NodeRecord self;

    public StoredConfiguration(ConfigurationStore store, NodeRecord self) {
        this.store = requireNonNull(store, "store cannot be null");
        this.self = requireNonNull(self, "self cannot be null");
    }

    @Override
    public Container.Configuration current(ContainerId id) {
        ConfigurationRevision revision = store.read(id.service());
        Set<String> secrets = new HashSet<>();
        revision.secretValues().values().forEach(values -> values.values().forEach(v -> secrets.add(v.toString())));
        return new Container.Configuration(revision.revision(), revision.effectiveFor(id.version(), self), secrets);
    }
}
