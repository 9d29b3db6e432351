package dev.vessel.host.internal.container;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the warnings and errors logged inside a container (its Log Service: Declarative Services' reports of
 * components that fail, and whatever the release logs there) into the host's log, named after the container. The
 * listener is a proxy of the log bundle's own {@code LogListener}, for the same reason as in
 * {@link ContainerConfiguration}; it goes away with the container's framework.
 */
final class ContainerLog {
    private static final String LOG_READER = "org.osgi.service.log.LogReaderService";
    private static final String LISTENER = "org.osgi.service.log.LogListener";
    private static final String ENTRY = "org.osgi.service.log.LogEntry";
    private static final int LOG_WARNING = 2;

    private ContainerLog() {}

    private static void copy(Logger log, Object entry, Method level, Method message, Method exception) {
        try {
            int severity = (Integer) level.invoke(entry);
            if (severity <= LOG_WARNING) {
                Object text = message.invoke(entry);
                Throwable thrown = (Throwable) exception.invoke(entry);
                if (severity < LOG_WARNING) {
                    log.error("{}", text, thrown);
                } else {
                    log.warn("{}", text, thrown);
                }
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError stopping) {
            // an entry delivered while the container's framework stops: its class loaders are gone
            log.debug("a log entry of a stopping container was not copied: {}", stopping.toString());
        }
    }

    /** Starts copying; without a Log Service in the container there is nothing to copy. */
    static void forward(BundleContext context, String container) {
        ServiceReference<?> reader = ContainerServices.first(context, LOG_READER);
        if (reader == null) {
            return;
        }
        Logger log = LoggerFactory.getLogger("dev.vessel.container." + container);
        Bundle logBundle = reader.getBundle();
        try {
            Class<?> listenerType = logBundle.loadClass(LISTENER);
            Class<?> entryType = logBundle.loadClass(ENTRY);
            Method level = entryType.getMethod("getLevel");
            Method message = entryType.getMethod("getMessage");
            Method exception = entryType.getMethod("getException");
            Object listener = Proxy.newProxyInstance(listenerType.getClassLoader(), new Class<?>[] {listenerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "logged" -> {
                            copy(log, args[0], level, message, exception);
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "log of container " + container;
                        default -> null;
                    });
            logBundle.loadClass(LOG_READER).getMethod("addLogListener", listenerType)
                    .invoke(context.getService(reader), listener);
        } catch (ReflectiveOperationException e) {
            LoggerFactory.getLogger(ContainerLog.class).warn("container {}: its log is not copied: {}", container,
                    e.toString());
        }
    }
}
