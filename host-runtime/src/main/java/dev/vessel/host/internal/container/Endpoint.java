package dev.vessel.host.internal.container;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.type.TypeFactory;
import com.fasterxml.jackson.databind.util.LRUMap;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An endpoint service of a container: its callable methods by name, resolved once. Callable are exactly the
 * public instance methods <em>declared by</em> the types the service is registered under ({@code objectClass}):
 * for an interface its abstract methods, for a class the public methods it declares itself. Not callable:
 * methods inherited from supertypes that are not registered themselves, default methods, static, bridge and
 * synthetic methods, and everything of {@code Object}.
 */
public final class Endpoint {
    private final String name;
    private final Class<?> implementation;
    private final Map<String, List<EndpointMethod>> methods;
    private final ObjectMapper mapper;

    private Endpoint(String name, Class<?> implementation, Map<String, List<EndpointMethod>> methods,
            ObjectMapper mapper) {
        this.name = name;
        this.implementation = implementation;
        this.methods = methods;
        this.mapper = mapper;
    }

    public static Endpoint of(String name, Object service, String[] objectClass, ObjectMapper mapper) {
        Map<String, List<EndpointMethod>> byName = new LinkedHashMap<>();
        for (Method method : callableMethods(service.getClass(), Set.of(objectClass))) {
            try {
                byName.computeIfAbsent(method.getName(), n -> new ArrayList<>())
                        .add(EndpointMethod.bind(method, service, mapper));
            } catch (IllegalAccessException e) {
                // not accessible from outside its bundle (e.g. a non-public declaring type): not callable
            }
        }
        byName.replaceAll((n, list) -> List.copyOf(list));
        return new Endpoint(name, service.getClass(), Map.copyOf(byName), mapper);
    }

    /**
     * A mapper for one container's endpoints, made per container: Jackson caches types (and so classes) per mapper
     * and, by default, in the process-wide {@link TypeFactory}; a private type cache keeps the release's classes out
     * of anything shared.
     */
    public static ObjectMapper newMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .typeFactory(TypeFactory.defaultInstance().withCache(new LRUMap<>(16, 256)))
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        // a JSON number or boolean is not a string argument
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return mapper;
    }

    String name() {
        return name;
    }

    /** The service's implementation class, loaded by the release's bundle. */
    Class<?> implementation() {
        return implementation;
    }

    /** Calls {@code method} with the JSON array {@code arguments}; returns the result serialized as JSON. */
    public byte[] call(String method, JsonNode arguments) throws CallFailure {
        List<EndpointMethod> candidates = methods.get(method);
        if (candidates == null) {
            throw CallFailure.unknownMethod("endpoint '" + name + "' has no method " + dev.vessel.registry.Text.quote(method)
                    + "; it has " + new TreeSet<>(methods.keySet()));
        }
        CallFailure mismatch = null;
        for (EndpointMethod candidate : candidates) {
            if (candidate.arity() != arguments.size()) {
                continue;
            }
            Object[] args;
            try {
                args = candidate.arguments(arguments);
            } catch (CallFailure e) {
                mismatch = mismatch == null ? e : mismatch; // try the next overload of the same arity
                continue;
            }
            Object result = candidate.invoke(args);
            try {
                return mapper.writeValueAsBytes(result);
            } catch (Exception e) {
                throw CallFailure.unserializable(candidate.signature() + " returned a "
                        + result.getClass().getName() + " that cannot be written as JSON: " + e.getMessage());
            }
        }
        if (mismatch != null) {
            throw mismatch;
        }
        throw CallFailure.badArguments(method + " takes " + arities(candidates) + " argument(s), got "
                + arguments.size() + "; signatures: " + candidates.stream().map(EndpointMethod::signature).toList());
    }

    private static String arities(List<EndpointMethod> candidates) {
        return candidates.stream().map(c -> Integer.toString(c.arity())).distinct().reduce((a, b) -> a + " or " + b)
                .orElse("?");
    }

    private static List<Method> callableMethods(Class<?> implementation, Set<String> objectClass) {
        Set<Class<?>> types = new LinkedHashSet<>();
        collectTypes(implementation, objectClass, types);
        Map<String, Method> unique = new LinkedHashMap<>();
        for (Class<?> type : types) {
            for (Method method : type.getDeclaredMethods()) {
                int modifiers = method.getModifiers();
                if (!Modifier.isPublic(modifiers) || Modifier.isStatic(modifiers) || method.isBridge()
                        || method.isSynthetic() || method.isDefault()) {
                    continue;
                }
                unique.putIfAbsent(method.getName() + Arrays.toString(method.getParameterTypes()), method);
            }
        }
        return new ArrayList<>(unique.values());
    }

    /** The types in the implementation's hierarchy whose names are in {@code objectClass}. */
    private static void collectTypes(Class<?> type, Set<String> objectClass, Set<Class<?>> found) {
        if (type == null || type == Object.class) {
            return;
        }
        if (objectClass.contains(type.getName()) && Modifier.isPublic(type.getModifiers())) {
            found.add(type);
        }
        for (Class<?> parent : type.getInterfaces()) {
            collectTypes(parent, objectClass, found);
        }
        collectTypes(type.getSuperclass(), objectClass, found);
    }
}
