package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;

/**
 * One registered container: a release of a service, reachable on a node's data plane.
 *
 * <p>Stored as a Curator x-discovery {@link ServiceInstance} whose payload is a plain {@code Map<String,String>}
 * (keys {@code version, node, container, zone, state, weight, load}), so any stock x-discovery client can read it.
 *
 * @param id        unique instance id, {@code <node>.<container>}
 * @param service   service name
 * @param version   release version, OSGi syntax ({@code 1.1.0})
 * @param node      node id
 * @param container container id on that node
 * @param zone      the node's zone
 * @param state     the container state (always ACTIVE for registered instances today)
 * @param weight    relative weight of this instance within its version (default 100)
 * @param address   host or IP of the node's data plane
 * @param port      port of the node's data plane
 * @param load      the average number of calls the container was executing over the node's last publishing
 *                  interval (Little's law: busy time / interval); 0 until first published
 */
public record InstanceRecord(
        String id,
        String service,
        String version,
        String node,
        String container,
        String zone,
        InstanceState state,
        int weight,
        String address,
        int port,
        double load) {

    public static final String VERSION = "version";
    public static final String NODE = "node";
    public static final String CONTAINER = "container";
    public static final String ZONE = "zone";
    public static final String STATE = "state";
    public static final String WEIGHT = "weight";
    public static final String LOAD = "load";

    public InstanceRecord {
        RegistryLayout.requireName(id, "instance id");
        RegistryLayout.requireName(service, "service");
        requireNonNull(version, "version cannot be null");
        requireNonNull(node, "node cannot be null");
        requireNonNull(container, "container cannot be null");
        requireNonNull(zone, "zone cannot be null");
        requireNonNull(state, "state cannot be null");
        requireNonNull(address, "address cannot be null");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1-65535; got " + port);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0; got " + weight);
        }
        if (!(load >= 0) || Double.isInfinite(load)) {
            throw new IllegalArgumentException("load must be a finite number >= 0; got " + load);
        }
    }

    /** A record with no load published yet. */
    public InstanceRecord(String id, String service, String version, String node, String container, String zone,
            InstanceState state, int weight, String address, int port) {
        this(id, service, version, node, container, zone, state, weight, address, port, 0);
    }

    public InstanceRecord withWeight(int newWeight) {
        return new InstanceRecord(id, service, version, node, container, zone, state, newWeight, address, port, load);
    }

    public InstanceRecord withLoad(double newLoad) {
        return new InstanceRecord(id, service, version, node, container, zone, state, weight, address, port, newLoad);
    }

    /** The x-discovery form written to ZooKeeper. */
    public ServiceInstance<Map<String, String>> toServiceInstance() {
        Map<String, String> payload = new LinkedHashMap<>();
        payload.put(VERSION, version);
        payload.put(NODE, node);
        payload.put(CONTAINER, container);
        payload.put(ZONE, zone);
        payload.put(STATE, state.name());
        payload.put(WEIGHT, Integer.toString(weight));
        payload.put(LOAD, Double.toString(load));
        return new ServiceInstance<>(
                service, id, address, port, null, payload, System.currentTimeMillis(), ServiceType.DYNAMIC, null, true);
    }

    /**
     * Reads an x-discovery instance written by Vessel.
     *
     * @throws IllegalArgumentException if the payload lacks a field Vessel needs (for instance a foreign
     *                                  registration under the same path)
     */
    public static InstanceRecord fromServiceInstance(ServiceInstance<Map<String, String>> instance) {
        Map<String, String> payload = instance.getPayload();
        if (payload == null) {
            throw new IllegalArgumentException("instance " + instance.getId() + " has no payload");
        }
        return new InstanceRecord(
                instance.getId(),
                instance.getName(),
                required(payload, VERSION, instance),
                required(payload, NODE, instance),
                required(payload, CONTAINER, instance),
                payload.getOrDefault(ZONE, "default"),
                InstanceState.valueOf(payload.getOrDefault(STATE, InstanceState.ACTIVE.name())),
                Integer.parseInt(payload.getOrDefault(WEIGHT, "100")),
                instance.getAddress(),
                instance.getPort() == null ? 0 : instance.getPort(),
                load(payload.get(LOAD), instance));
    }

    private static double load(String published, ServiceInstance<?> instance) {
        if (published == null) {
            return 0;
        }
        try {
            double value = Double.parseDouble(published);
            return value >= 0 && !Double.isInfinite(value) ? value : 0;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("instance " + instance.getId() + " has a load that is not a number: '"
                    + published + "'", e);
        }
    }

    /**
     * The Vessel instances among {@code instances}, sorted by id; registrations that are not Vessel's (no version
     * or node in the payload) are left out of Vessel's view.
     */
    public static List<InstanceRecord> allOf(Collection<ServiceInstance<Map<String, String>>> instances) {
        List<InstanceRecord> records = new ArrayList<>();
        for (ServiceInstance<Map<String, String>> instance : instances) {
            ifVessel(instance).ifPresent(records::add);
        }
        records.sort(Comparator.comparing(InstanceRecord::id));
        return List.copyOf(records);
    }

    /** The instance as Vessel's record, or empty if Vessel did not write it (no version or node in the payload). */
    public static Optional<InstanceRecord> ifVessel(ServiceInstance<Map<String, String>> instance) {
        try {
            return Optional.of(fromServiceInstance(instance));
        } catch (IllegalArgumentException foreign) {
            return Optional.empty();
        }
    }

    private static String required(Map<String, String> payload, String key, ServiceInstance<?> instance) {
        String value = payload.get(key);
        if (value == null) {
            throw new IllegalArgumentException("instance " + instance.getId() + " has no '" + key + "' in its payload");
        }
        return value;
    }
}
