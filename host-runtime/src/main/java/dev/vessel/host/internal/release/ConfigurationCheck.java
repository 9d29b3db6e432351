package dev.vessel.host.internal.release;

import dev.vessel.registry.ConfigurationRevision;
import dev.vessel.registry.ConfigurationSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A configuration checked against the Metatype of one release: which PID, which key, what was expected. */
public final class ConfigurationCheck {
    private ConfigurationCheck() {}

    /** One line per misfit, naming the PID, the key, what was expected and the release that refuses it. */
    public static List<String> problems(ConfigurationRevision configuration, String release,
            List<ConfigurationSchema> schemas) {
        List<String> problems = new ArrayList<>();
        for (ConfigurationSchema schema : schemas) {
            Map<String, Object> properties = configuration.pids().get(schema.pid());
            if (properties == null) {
                continue; // not configured: the release runs on its defaults
            }
            for (String problem : schema.problems(properties)) {
                problems.add(schema.pid() + " " + problem + " (refused by " + release + ")");
            }
        }
        return problems;
    }
}
