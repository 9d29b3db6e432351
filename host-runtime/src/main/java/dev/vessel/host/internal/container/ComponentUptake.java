package dev.vessel.host.internal.container;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Whether the components of one container took a configuration revision. Configuration Admin hands a change to
 * Declarative Services asynchronously, and DS only logs a {@code @Modified} method that throws (the component
 * keeps running with what it had, OSGi Compendium 112.5.13), so "Configuration Admin took it" says nothing about
 * the components. This waits until DS has handled the revision in every component that uses one of its PIDs,
 * seen in the {@link ContainerConfiguration#REVISION_PROPERTY revision property} of the component's
 * configuration and, for a component that registers services, of those services (DS updates them only after its
 * modified method returned), then reads the container's log (Felix Log) for what DS logged meanwhile.
 *
 * <p>Like {@link ContainerConfiguration}, it reaches the container's DS and Log services through reflection on
 * their own bundles' interfaces, so a release may bring any compatible API version.
 */
final class ComponentUptake {
    private static final String RUNTIME = "org.osgi.service.component.runtime.ServiceComponentRuntime";
    private static final String LOG_READER = "org.osgi.service.log.LogReaderService";
    private static final int FAILED_ACTIVATION = 16; // ComponentConfigurationDTO.FAILED_ACTIVATION
    private static final int ACTIVE = 8; // ComponentConfigurationDTO.ACTIVE
    private static final int LOG_ERROR = 1; // LogService.LOG_ERROR
    private static final Duration RECHECK = Duration.ofMillis(10);
    /** How often a read of SCR's DTOs that threw from inside SCR is tried, and how far apart. */
    private static final int DTO_ATTEMPTS = 20;
    private static final long DTO_RETRY_MILLIS = 10;

    private final BundleContext context;

    ComponentUptake(BundleContext context) {
        this.context = context;
    }

    /**
     * Starts watching, before a change is made: what DS logs from now on and every service change (so a service
     * updated right after the change is not missed). Close it when done.
     */
    Watch watch() {
        Watch watch = new Watch(logMark());
        try {
            context.addServiceListener(watch, "(component.name=*)");
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        return watch;
    }

    /** What {@link #await} needs from before the change: the log's mark and a wake-up on service changes. */
    final class Watch implements ServiceListener, AutoCloseable {
        private final long logMark;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long events;

        private Watch(long logMark) {
            this.logMark = logMark;
        }

        @Override
        public void serviceChanged(ServiceEvent event) {
            lock.lock();
            try {
                events++;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until a service changed after {@code seen} events, or {@code nanos} passed; the events now. */
        private long awaitEvent(long seen, long nanos) throws InterruptedException {
            lock.lock();
            try {
                long left = nanos;
                while (events == seen && left > 0) {
                    left = changed.awaitNanos(left);
                }
                return events;
            } finally {
                lock.unlock();
            }
        }

        private long events() {
            lock.lock();
            try {
                return events;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            try {
                context.removeServiceListener(this);
            } catch (IllegalStateException stopped) {
                // the framework went away meanwhile: so did the listener
            }
        }
    }

    private long logMark() {
        List<LogLine> lines = logEntries();
        return lines.isEmpty() ? -1 : lines.get(lines.size() - 1).sequence();
    }

    /**
     * Waits, at most {@code timeout}, until DS has handled {@code revision} in every component that uses one of
     * {@code pids}, and says which did not take it: one line per component whose modified method threw, whose
     * activation with the revision failed, or that had not handled it when the time was up. Empty: every
     * component took it (or no component uses the PIDs).
     */
    List<String> await(Watch watch, Set<String> pids, long revision, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long seen = watch.events(); // before looking, so a change while looking is not slept through
            List<String> pending = pending(pids, revision);
            if (pending.isEmpty()) {
                return refusals(pids, watch.logMark);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                List<String> late = new ArrayList<>();
                for (String component : pending) {
                    late.add("component " + component + " had not taken it after " + timeout.toMillis() + " ms");
                }
                return late;
            }
            // a service event wakes this at once; a component without services is looked at again soon
            watch.awaitEvent(seen, Math.min(left, RECHECK.toNanos()));
        }
    }

    /** The components using one of {@code pids} that DS has not yet handled {@code revision} in. */
    private List<String> pending(Set<String> pids, long revision) {
        List<String> pending = new ArrayList<>();
        for (Component component : components(pids)) {
            for (ComponentInstance instance : component.instances()) {
                if (instance.state() == FAILED_ACTIVATION) {
                    continue; // final for this revision: refusals() reports it
                }
                boolean handled = revision == revisionOf(instance.properties().get(
                        ContainerConfiguration.REVISION_PROPERTY));
                if (handled && instance.state() == ACTIVE) {
                    for (ServiceReference<?> service : services(instance.id())) {
                        handled &= revision == revisionOf(service.getProperty(
                                ContainerConfiguration.REVISION_PROPERTY));
                    }
                }
                if (!handled) {
                    pending.add(component.name());
                }
            }
        }
        return pending;
    }

    /** What DS logged as errors of these components since {@code logMark}, and their failed activations. */
    private List<String> refusals(Set<String> pids, long logMark) {
        List<Component> components = components(pids);
        List<String> refusals = new ArrayList<>();
        for (Component component : components) {
            for (ComponentInstance instance : component.instances()) {
                if (instance.state() == FAILED_ACTIVATION) {
                    refusals.add("component " + component.name() + " failed to activate: " + instance.failure());
                }
            }
        }
        for (LogLine line : logEntries()) {
            if (line.sequence() <= logMark || line.level() != LOG_ERROR || line.bundle() == null) {
                continue;
            }
            for (Component component : components) {
                if (line.bundle().getBundleId() == component.bundleId() && line.message().contains(component.name())) {
                    refusals.add("component " + component.name() + " refused it: "
                            + withoutPrefix(line.message(), component.name())
                            + (line.exception() == null ? "" : ": " + line.exception()));
                }
            }
        }
        return refusals;
    }

    /** DS prefixes its messages with "bundle ... [name(id)] :"; the line names the component already. */
    private static String withoutPrefix(String message, String component) {
        int at = message.indexOf("[" + component + "(");
        int end = at < 0 ? -1 : message.indexOf(']', at);
        return end < 0 ? message : message.substring(end + 1).replaceFirst("^\\s*:?\\s*", "");
    }

    private static long revisionOf(Object property) {
        return property instanceof Number number ? number.longValue() : -1;
    }

    private List<ServiceReference<?>> services(long componentId) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(null,
                    "(component.id=" + componentId + ")");
            return references == null ? List.of() : List.of(references);
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private record Component(String name, long bundleId, List<ComponentInstance> instances) {}

    private record ComponentInstance(long id, int state, Map<String, Object> properties, String failure) {}

    /**
     * The components of the container that use one of {@code pids}, with their current configurations. Felix SCR
     * builds its DTOs from state it is changing while it reconfigures a component, and now and then throws from
     * inside (seen: a NullPointerException on a configuration's properties while a change was applied); such a
     * read is tried again, up to {@link #DTO_ATTEMPTS} times, before it counts as a failure.
     */
    private List<Component> components(Set<String> pids) {
        for (int attempt = 1; ; attempt++) {
            try {
                return componentsOnce(pids);
            } catch (DtoRace race) {
                if (attempt >= DTO_ATTEMPTS) {
                    throw failure("Declarative Services", race.thrown);
                }
                try {
                    Thread.sleep(DTO_RETRY_MILLIS); // SCR's own change to finish; nothing to wait on from outside
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw failure("Declarative Services", race.thrown);
                }
            }
        }
    }

    /** SCR threw while it was asked for its DTOs. */
    private static final class DtoRace extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient java.lang.reflect.InvocationTargetException thrown;

        DtoRace(java.lang.reflect.InvocationTargetException thrown) {
            super(null, null, false, false);
            this.thrown = thrown;
        }
    }

    private List<Component> componentsOnce(Set<String> pids) {
        ServiceReference<?> reference = ContainerServices.first(context, RUNTIME);
        if (reference == null) {
            return List.of(); // no DS, so no component to wait for
        }
        Object runtime = context.getService(reference);
        try {
            Class<?> type = reference.getBundle().loadClass(RUNTIME);
            Class<?> descriptionType = reference.getBundle().loadClass(
                    "org.osgi.service.component.runtime.dto.ComponentDescriptionDTO");
            Collection<?> descriptions = (Collection<?>) type.getMethod("getComponentDescriptionDTOs",
                    Bundle[].class).invoke(runtime, (Object) new Bundle[0]);
            List<Component> components = new ArrayList<>();
            for (Object description : descriptions) {
                if (!usesAny(field(description, "configurationPid"), pids)) {
                    continue;
                }
                List<ComponentInstance> instances = new ArrayList<>();
                Collection<?> configurations = (Collection<?>) type.getMethod("getComponentConfigurationDTOs",
                        descriptionType).invoke(runtime, description);
                for (Object configuration : configurations) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> properties = (Map<String, Object>) field(configuration, "properties");
                    instances.add(new ComponentInstance((Long) field(configuration, "id"),
                            (Integer) field(configuration, "state"),
                            properties == null ? Map.of() : new HashMap<>(properties),
                            String.valueOf(field(configuration, "failure"))));
                }
                Object bundle = field(description, "bundle");
                components.add(new Component((String) field(description, "name"), (Long) field(bundle, "id"),
                        instances));
            }
            return components;
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new DtoRace(e);
        } catch (ReflectiveOperationException e) {
            throw failure("Declarative Services", e);
        } finally {
            context.ungetService(reference);
        }
    }

    private static boolean usesAny(Object configurationPids, Set<String> pids) {
        if (configurationPids == null) {
            return false;
        }
        for (int i = 0; i < Array.getLength(configurationPids); i++) {
            if (pids.contains((String) Array.get(configurationPids, i))) {
                return true;
            }
        }
        return false;
    }

    private record LogLine(long sequence, int level, String message, Bundle bundle, Throwable exception) {}

    /** The container's log as Felix Log keeps it (its newest entries, the oldest first). */
    private List<LogLine> logEntries() {
        ServiceReference<?> reference = ContainerServices.first(context, LOG_READER);
        if (reference == null) {
            return List.of();
        }
        Object reader = context.getService(reference);
        try {
            Bundle logBundle = reference.getBundle();
            Class<?> entryType = logBundle.loadClass("org.osgi.service.log.LogEntry");
            Enumeration<?> log = (Enumeration<?>) logBundle.loadClass(LOG_READER).getMethod("getLog")
                    .invoke(reader);
            List<LogLine> lines = new ArrayList<>();
            while (log.hasMoreElements()) {
                Object entry = log.nextElement();
                lines.add(0, new LogLine((Long) entryType.getMethod("getSequence").invoke(entry),
                        (Integer) entryType.getMethod("getLevel").invoke(entry),
                        String.valueOf(entryType.getMethod("getMessage").invoke(entry)),
                        (Bundle) entryType.getMethod("getBundle").invoke(entry),
                        (Throwable) entryType.getMethod("getException").invoke(entry)));
            }
            return lines;
        } catch (ReflectiveOperationException e) {
            throw failure("the Log Service", e);
        } finally {
            context.ungetService(reference);
        }
    }

    private static Object field(Object dto, String name) throws ReflectiveOperationException {
        Field field = dto.getClass().getField(name);
        return field.get(dto);
    }

    private static IllegalStateException failure(String what, ReflectiveOperationException e) {
        Throwable cause = ContainerServices.cause(e);
        return new IllegalStateException(what + " could not be asked: " + cause, cause);
    }
}
