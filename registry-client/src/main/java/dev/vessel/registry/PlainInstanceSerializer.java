package dev.vessel.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.InstanceSerializer;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

/**
 * Curator x-discovery's instance JSON, written as x-discovery writes it (so stock clients read Vessel's records) but
 * read with the payload as a plain map of strings. x-discovery's own reader honours the payload's {@code @class}:
 * whoever can write an instance record would choose a class for every reader to instantiate. Here the class name is
 * ignored, and a payload value that is not a plain value is left out.
 */
final class PlainInstanceSerializer implements InstanceSerializer<Map<String, String>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final JsonInstanceSerializer<Map<String, String>> WRITER =
            new JsonInstanceSerializer<>((Class) Map.class);
    private static final String CLASS_PROPERTY = "@class";

    @Override
    public byte[] serialize(ServiceInstance<Map<String, String>> instance) throws Exception {
        return WRITER.serialize(instance);
    }

    @Override
    public ServiceInstance<Map<String, String>> deserialize(byte[] bytes) throws Exception {
        JsonNode root = JSON.readTree(bytes);
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("an instance record is a JSON object");
        }
        Map<String, String> payload = new LinkedHashMap<>();
        root.path("payload").fields().forEachRemaining(field -> {
            if (!field.getKey().equals(CLASS_PROPERTY) && field.getValue().isValueNode()
                    && !field.getValue().isNull()) {
                payload.put(field.getKey(), field.getValue().asText());
            }
        });
        return new ServiceInstance<>(text(root, "name"), text(root, "id"), text(root, "address"),
                integer(root, "port"), integer(root, "sslPort"), payload, root.path("registrationTimeUTC").asLong(),
                root.hasNonNull("serviceType") ? ServiceType.valueOf(root.get("serviceType").asText())
                        : ServiceType.DYNAMIC, uriSpec(root.path("uriSpec")), root.path("enabled").asBoolean(true));
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Integer integer(JsonNode root, String field) {
        JsonNode value = root.get(field);
        return value == null || !value.canConvertToInt() ? null : value.asInt();
    }

    private static UriSpec uriSpec(JsonNode spec) {
        if (!spec.has("parts")) {
            return null;
        }
        UriSpec uriSpec = new UriSpec();
        for (JsonNode part : spec.get("parts")) {
            uriSpec.add(new UriSpec.Part(part.path("value").asText(), part.path("variable").asBoolean()));
        }
        return uriSpec;
    }
}
