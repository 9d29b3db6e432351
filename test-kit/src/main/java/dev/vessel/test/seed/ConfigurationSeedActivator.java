package dev.vessel.test.seed;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.net.URL;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The activator of a bundle that {@code VesselOptions.configuration} makes: it gives one PID its properties through
 * Configuration Admin, bound to no bundle, as a Vessel node does before it starts a release's bundles. Runs inside
 * the Pax Exam framework, not in the test JVM's class space.
 */
public final class ConfigurationSeedActivator implements BundleActivator {
    /** The bundle resource holding the PID and its properties. */
    public static final String SEED = "vessel-configuration.ser";

    @Override
    public void start(BundleContext context) throws Exception {
        URL seed = context.getBundle().getEntry(SEED);
        String pid;
        Hashtable<String, Object> properties;
        try (InputStream in = seed.openStream(); ObjectInputStream objects = new ObjectInputStream(in)) {
            pid = (String) objects.readObject();
            @SuppressWarnings("unchecked")
            Hashtable<String, Object> read = (Hashtable<String, Object>) objects.readObject();
            properties = read;
        } catch (IOException | ClassNotFoundException e) {
            throw new BundleException("the configuration seed of this bundle cannot be read: " + e, e);
        }
        ServiceReference<ConfigurationAdmin> reference = context.getServiceReference(ConfigurationAdmin.class);
        if (reference == null) {
            throw new BundleException("Configuration Admin is not running, so " + pid + " cannot be configured: list"
                    + " VesselOptions.container() before VesselOptions.configuration(...)");
        }
        ConfigurationAdmin admin = context.getService(reference);
        try {
            Configuration configuration = admin.getConfiguration(pid, "?");
            configuration.update((Dictionary<String, Object>) properties);
        } finally {
            context.ungetService(reference);
        }
    }

    @Override
    public void stop(BundleContext context) {
        // the configuration stays, as a node's does while the container runs
    }
}
