package dev.vessel.router;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The invocation handler behind {@link VesselClient#proxy}: one remote call per interface method call. */
final class TypedCall implements InvocationHandler {
    private final VesselClient client;
    private final Class<?> api;
    private final String service;
    private final String endpoint;
    private final Binding binding;
    private final ObjectMapper json;
    /** Return types resolved once per method, not per call. */
    private final Map<Method, JavaType> returnTypes = new ConcurrentHashMap<>();

    TypedCall(VesselClient client, Class<?> api, String service, String endpoint, Binding binding, ObjectMapper json) {
        this.client = client;
        this.api = api;
        this.service = service;
        this.endpoint = endpoint;
        this.binding = binding;
        this.json = json;
    }

    Binding binding() {
        return binding;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> api.getSimpleName() + " proxy for " + service + " " + binding.range() + " (now "
                        + binding.current().map(Object::toString).orElse("no version") + ")";
            };
        }
        CallResult result = client.call(service, binding.range(), endpoint, method.getName(),
                args == null ? new Object[0] : args);
        if (method.getReturnType() == void.class) {
            return null;
        }
        JavaType type = returnTypes.computeIfAbsent(method,
                m -> json.getTypeFactory().constructType(m.getGenericReturnType()));
        return json.convertValue(result.body(), type);
    }
}
