package dev.vessel.router;

import dev.vessel.router.internal.ServiceRoutes;
import java.lang.ref.WeakReference;

/**
 * Keeps a binding current while something uses it: it holds the binding weakly and leaves the route listeners
 * at the first change after the binding (and its proxy) became unreachable.
 */
final class BindingUpdater implements Runnable {
    private final ServiceRoutes routes;
    private final WeakReference<Binding> binding;

    BindingUpdater(ServiceRoutes routes, Binding binding) {
        this.routes = routes;
        this.binding = new WeakReference<>(binding);
    }

    @Override
    public void run() {
        Binding current = binding.get();
        if (current == null) {
            routes.removeListener(this);
        } else {
            current.update(routes.table().resolve(current.range()));
        }
    }
}
