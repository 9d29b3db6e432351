package dev.vessel.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.felix.cm.file.ConfigurationHandler;

/**
 * Configuration properties from a file, by its extension: {@code .json} (an object; numbers, booleans and
 * arrays keep their types), {@code .properties} and {@code .cfg} (Java properties: strings), and Felix
 * {@code .config} (typed values such as {@code I"3"} or {@code B"true"}, read with Felix's own parser).
 */
final class ConfigFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFiles() {}

    static Map<String, Object> read(Path file) {
        String name = file.getFileName().toString();
        try (InputStream in = Files.newInputStream(file)) {
            if (name.endsWith(".json")) {
                Map<String, Object> values = JSON.readValue(in, new TypeReference<Map<String, Object>>() { });
                values.forEach((key, value) -> {
                    if (value == null || value instanceof Map) {
                        throw new CliException(ExitCode.BAD_INPUT, file + ": " + key + " must be a string, number,"
                                + " boolean or a list of them");
                    }
                });
                return new TreeMap<>(values);
            }
            if (name.endsWith(".properties") || name.endsWith(".cfg")) {
                Properties properties = new Properties();
                properties.load(in);
                Map<String, Object> values = new TreeMap<>();
                properties.stringPropertyNames().forEach(key -> values.put(key, properties.getProperty(key)));
                return values;
            }
            if (name.endsWith(".config")) {
                return fromDictionary(ConfigurationHandler.read(in));
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.BAD_INPUT, "cannot read " + file + ": " + e.getMessage());
        }
        throw new CliException(ExitCode.BAD_INPUT, file + ": give a .json, .properties, .cfg or .config file");
    }

    /** Felix's typed values as JSON keeps them: arrays become lists. */
    private static Map<String, Object> fromDictionary(Dictionary<?, ?> dictionary) {
        Map<String, Object> values = new TreeMap<>();
        for (Enumeration<?> keys = dictionary.keys(); keys.hasMoreElements();) {
            Object key = keys.nextElement();
            Object value = dictionary.get(key);
            if (value != null && value.getClass().isArray()) {
                Object[] items = new Object[Array.getLength(value)];
                for (int i = 0; i < items.length; i++) {
                    items[i] = Array.get(value, i);
                }
                value = List.of(items);
            }
            values.put(key.toString(), value);
        }
        return values;
    }
}
