package dev.vessel.sample.greeter.impl;

import dev.vessel.sample.greeter.api.Greeter;
import dev.vessel.sample.greeter.api.Greeting;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

@Component(service = Greeter.class, property = "vessel.endpoint=greeter")
public class GreeterComponent implements Greeter {
    private static final Map<String, String> SALUTATIONS = new TreeMap<>(Map.of("de", "Hallo", "en", "Hello", "fr",
            "Bonjour"));

    private final String version;

    @Activate
    public GreeterComponent(BundleContext context) {
        this.version = context.getBundle().getVersion().toString();
    }

    @Override
    public Greeting greet(String name, String language) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        String salutation = SALUTATIONS.get(language);
        if (salutation == null) {
            throw new IllegalArgumentException("unsupported language '" + language + "'; supported: "
                    + String.join(", ", SALUTATIONS.keySet()));
        }
        return new Greeting(salutation + ", " + name + "! (greeter " + version + ")", language, version);
    }

    @Override
    public String greetAll(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException("names must not be empty");
        }
        return "Hello, " + String.join(" and ", names) + "! (greeter " + version + ")";
    }

    @Override
    public String version() {
        return version;
    }
}
