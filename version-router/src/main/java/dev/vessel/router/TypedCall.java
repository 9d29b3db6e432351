package dev.vessel.router;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.annotation.Annotation;
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
    /** Per method: whether it is {@link Idempotent} and which parameter is its {@link RoutingKey} (-1: none). */
    private final Map<Method, CallShape> shapes = new ConcurrentHashMap<>();

    private record CallShape(boolean idempotent, int keyParameter) {
        static CallShape of(Method method) {
            int key = -1;
            Annotation[][] annotations = method.getParameterAnnotations();
            for (int i = 0; i < annotations.length; i++) {
                for (Annotation annotation : annotations[i]) {
                    if (annotation instanceof RoutingKey) {
                        if (key >= 0) {
                            throw new IllegalArgumentException(method + " has more than one @RoutingKey parameter");
                        }
                        key = i;
                    }
                }
            }
            return new CallShape(method.isAnnotationPresent(Idempotent.class), key);
        }
    }

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

    private CallOptions options(Method method, Object[] args) {
        CallShape shape = shapes.computeIfAbsent(method, CallShape::of);
        CallOptions options = shape.idempotent() ? CallOptions.idempotentCall() : CallOptions.DEFAULT;
        if (shape.keyParameter() >= 0) {
            Object key = args[shape.keyParameter()];
            if (key == null) {
                throw new IllegalArgumentException("the @RoutingKey argument of " + method.getName() + " is null");
            }
            options = options.withKey(String.valueOf(key));
        }
        return options;
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
        Object[] arguments = args == null ? new Object[0] : args;
        CallResult result = client.call(options(method, arguments), service, binding.range(), endpoint,
                method.getName(), arguments);
        if (method.getReturnType() == void.class) {
            return null;
        }
        JavaType type = returnTypes.computeIfAbsent(method,
                m -> json.getTypeFactory().constructType(m.getGenericReturnType()));
        return json.convertValue(result.body(), type);
    }
}
