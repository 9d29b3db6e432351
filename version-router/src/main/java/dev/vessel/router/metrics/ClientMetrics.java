package dev.vessel.router.metrics;

import dev.vessel.router.ServiceStatistics;
import dev.vessel.router.VesselClient;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/**
 * Registers a client's metrics in {@code registry}, read from {@link VesselClient#statistics()} whenever the
 * registry is scraped (nothing is counted twice, and nothing costs the call path more than the client's own
 * counters). One client per registry: the names would clash otherwise. Labels: {@code rpc_service}, a service
 * the application called, and {@code outcome}, one of a fixed five.
 */
public final class ClientMetrics {
    private ClientMetrics() {}

    public static void register(VesselClient client, PrometheusRegistry registry) {
        CounterWithCallback.builder().name("vessel_client_calls_total")
                .help("Calls by outcome: OK, REMOTE_ERROR, NO_COMPATIBLE_VERSION, UNAVAILABLE, FAILED")
                .labelNames("rpc_service", "outcome")
                .callback(callback -> {
                    for (ServiceStatistics service : client.statistics()) {
                        service.calls().forEach((outcome, count) -> callback.call(count, service.service(),
                                outcome));
                    }
                }).register(registry);
        counter(client, registry, "vessel_client_attempts_total", "Attempts sent: first ones, retries and hedges",
                ServiceStatistics::attempts);
        counter(client, registry, "vessel_client_retries_total", "Attempts after a call's first, on another instance",
                ServiceStatistics::retries);
        counter(client, registry, "vessel_client_hedges_total", "Attempts sent because the first one was slow",
                ServiceStatistics::hedges);
        counter(client, registry, "vessel_client_ejections_total", "Instances ejected after failing",
                ServiceStatistics::ejections);
        GaugeWithCallback.builder().name("vessel_client_routing_instances")
                .help("ACTIVE instances in the client's routing table")
                .labelNames("rpc_service")
                .callback(callback -> client.statistics().forEach(service -> callback.call(service.instances(),
                        service.service()))).register(registry);
        GaugeWithCallback.builder().name("vessel_client_routing_retained_instances")
                .help("Instances kept routable after a lost registry session though the registry no longer lists"
                        + " them")
                .labelNames("rpc_service")
                .callback(callback -> client.statistics().forEach(service -> callback.call(service.retained(),
                        service.service()))).register(registry);
        GaugeWithCallback.builder().name("vessel_client_routing_table_age_seconds")
                .help("Time since the routing table last changed")
                .labelNames("rpc_service")
                .callback(callback -> client.statistics().forEach(service -> callback.call(
                        service.tableAge().toNanos() / 1e9, service.service()))).register(registry);
    }

    private static void counter(VesselClient client, PrometheusRegistry registry, String name, String help,
            ToLongFunction<ServiceStatistics> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("rpc_service")
                .callback(callback -> client.statistics().forEach(service -> callback.call(
                        value.applyAsLong(service), service.service()))).register(registry);
    }
}
