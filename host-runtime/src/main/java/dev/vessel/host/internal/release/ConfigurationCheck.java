package dev.vessel.host.internal.release;

import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.ConfigurationSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Version;

/** A configuration checked against the Metatype of one release: which PID, which key, what was expected. */
public final class ConfigurationCheck {
    private ConfigurationCheck() {}

    /**
     * One line per misfit, naming the PID (and the target, for properties aimed at some containers), the key,
     * what was expected and the release that refuses it. Every entry that may reach a container of
     * {@code version} is checked, whichever node it runs on.
     */
    public static List<String> problems(ConfigurationRevision configuration, Version version, String release,
            List<ConfigurationSchema> schemas) {
        List<String> problems = new ArrayList<>();
        for (ConfigurationSchema schema : schemas) {
            Map<String, Object> properties = configuration.pids().get(schema.pid());
            if (properties != null) {
                for (String problem : schema.problems(properties)) {
                    problems.add(schema.pid() + " " + problem + " (refused by " + release + ")");
                }
            }
            for (ConfigurationRevision.Target target : configuration.targets()) {
                if (target.pid().equals(schema.pid()) && target.appliesTo(version)) {
                    for (String problem : schema.problems(target.properties())) {
                        problems.add(target.label() + " " + problem + " (refused by " + release + ")");
                    }
                }
            }
        }
        return problems;
    }
}
