package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a release's OSGi Metatype says one configuration PID takes (the {@code Designate} of an
 * {@code OCD}, as bnd writes it from {@code @ObjectClassDefinition}): each attribute's type, cardinality,
 * whether it is required, its options and bounds. Kept in the release's manifest, so a configuration can be
 * checked against every release it targets from the registry alone.
 */
public record ConfigurationSchema(String pid, List<Attribute> attributes) {
    public ConfigurationSchema {
        requireNonNull(pid, "pid cannot be null");
        attributes = List.copyOf(attributes);
    }

    /**
     * One {@code AD}.
     *
     * @param type        Metatype's type name: String, Long, Integer, Short, Char(acter), Byte, Double, Float,
     *                    Boolean, Password
     * @param cardinality 0 for one value, otherwise at most |cardinality| values in a list
     * @param defaults    the default values, empty if none (then a required attribute must be given)
     * @param options     the allowed values, empty for any
     * @param min         lower bound, null for none (a String's length)
     * @param max         upper bound, null for none (a String's length)
     */
    public record Attribute(String id, String type, int cardinality, boolean required, List<String> defaults,
            List<String> options, String min, String max) {
        public Attribute {
            requireNonNull(id, "id cannot be null");
            type = type == null ? "String" : type;
            defaults = defaults == null ? List.of() : List.copyOf(defaults);
            options = options == null ? List.of() : List.copyOf(options);
        }

        /** What a fitting value looks like, for an error message. */
        String expected() {
            StringBuilder what = new StringBuilder(cardinality == 0 ? type : "up to " + Math.abs(cardinality) + " "
                    + type + " values");
            if (!options.isEmpty()) {
                what.append(" one of ").append(options);
            }
            if (min != null || max != null) {
                what.append(isNumeric() ? " from " : " of length ").append(min == null ? "-" : min).append(" to ")
                        .append(max == null ? "-" : max);
            }
            return what.toString();
        }

        private boolean isNumeric() {
            return switch (type) {
                case "Long", "Integer", "Short", "Byte", "Double", "Float" -> true;
                default -> false;
            };
        }

        /** Null if {@code value} fits, else why not. */
        String problem(Object value) {
            List<?> values = value instanceof List<?> list ? list : List.of(value);
            if (value instanceof List<?> && cardinality == 0) {
                return "a list, where one value is expected";
            }
            if (cardinality != 0 && values.size() > Math.abs(cardinality)) {
                return values.size() + " values, more than " + Math.abs(cardinality);
            }
            for (Object one : values) {
                String problem = problemOfOne(one);
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        }

        private String problemOfOne(Object value) {
            if (value == null || value instanceof Map || value instanceof List) {
                return "'" + value + "' is not a single value";
            }
            String text = value.toString();
            if ("Password".equals(type)) {
                return null; // any text; and a secret is never repeated in an error
            }
            BigDecimal number = null;
            try {
                switch (type) {
                    case "Long" -> number = new BigDecimal(Long.parseLong(text.trim()));
                    case "Integer" -> number = new BigDecimal(Integer.parseInt(text.trim()));
                    case "Short" -> number = new BigDecimal(Short.parseShort(text.trim()));
                    case "Byte" -> number = new BigDecimal(Byte.parseByte(text.trim()));
                    case "Double", "Float" -> number = new BigDecimal(text.trim());
                    case "Boolean" -> {
                        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                            return "'" + text + "' is not a Boolean";
                        }
                    }
                    case "Char", "Character" -> {
                        if (text.length() != 1) {
                            return "'" + text + "' is not one character";
                        }
                    }
                    default -> { } // String, Password: any text
                }
            } catch (NumberFormatException e) {
                return "'" + text + "' is not " + (type.startsWith("I") ? "an " : "a ") + type;
            }
            if (!options.isEmpty() && !options.contains(text)) {
                return "'" + text + "' is none of the options";
            }
            BigDecimal measured = number != null ? number : isNumeric() ? null : new BigDecimal(text.length());
            if (measured != null && (below(measured, min) || below(max, measured))) {
                return "'" + text + "' is out of bounds";
            }
            return null;
        }

        private static boolean below(BigDecimal value, String bound) {
            return bound != null && !bound.isBlank() && value.compareTo(new BigDecimal(bound.trim())) < 0;
        }

        private static boolean below(String bound, BigDecimal value) {
            return bound != null && !bound.isBlank() && new BigDecimal(bound.trim()).compareTo(value) < 0;
        }
    }

    /**
     * Why {@code properties} do not fit this PID's attributes, one line per key ({@code key: got ..., expected
     * ...}); empty when they fit. Keys the Metatype does not describe are let through, as Configuration Admin does.
     */
    public List<String> problems(Map<String, Object> properties) {
        List<String> problems = new ArrayList<>();
        for (Attribute attribute : attributes) {
            Object value = properties.get(attribute.id());
            if (value == null) {
                if (attribute.required() && attribute.defaults().isEmpty()) {
                    problems.add(attribute.id() + ": missing, expected " + attribute.expected() + " (required)");
                }
                continue;
            }
            String problem = attribute.problem(value);
            if (problem != null) {
                problems.add(attribute.id() + ": " + problem + ", expected " + attribute.expected());
            }
        }
        return problems;
    }
}
