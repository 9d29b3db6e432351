package dev.vessel.router.internal;

import dev.vessel.registry.InstanceWatch;
import dev.vessel.registry.RegistryConnection;
import java.io.Closeable;
import java.util.concurrent.CopyOnWriteArrayList;

/** The routing table of one service, replaced whole by the registry watch after every change. */
public final class ServiceRoutes implements Closeable {
    private final String service;
    private final CopyOnWriteArrayList<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private volatile RoutingTable table = RoutingTable.EMPTY;
    private volatile InstanceWatch watch;

    private ServiceRoutes(String service) {
        this.service = service;
    }

    /** Starts watching; returns with the table loaded from what ZooKeeper holds now. */
    public static ServiceRoutes start(RegistryConnection connection, String service) {
        ServiceRoutes routes = new ServiceRoutes(service);
        routes.watch = InstanceWatch.start(connection, service, instances -> {
            routes.table = RoutingTable.of(instances);
            routes.changeListeners.forEach(Runnable::run);
        });
        return routes;
    }

    public String service() {
        return service;
    }

    public RoutingTable table() {
        return table;
    }

    /** {@code listener} runs after each table swap, on the registry's event thread; keep it short. */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }

    @Override
    public void close() {
        InstanceWatch current = watch;
        if (current != null) {
            current.close();
        }
    }
}
