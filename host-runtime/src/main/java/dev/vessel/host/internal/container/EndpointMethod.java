package dev.vessel.host.internal.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Type;

/**
 * One public method of an endpoint service, resolved once when the service appears: a method handle bound to
 * the service object and one JSON reader per parameter. A call only converts arguments and invokes.
 */
final class EndpointMethod {
    private final String name;
    private final String signature;
    private final ObjectReader[] parameterReaders;
    private final MethodHandle invoker;

    private EndpointMethod(String name, String signature, ObjectReader[] parameterReaders, MethodHandle invoker) {
        this.name = name;
        this.signature = signature;
        this.parameterReaders = parameterReaders;
        this.invoker = invoker;
    }

    static EndpointMethod bind(Method method, Object service, ObjectMapper mapper) throws IllegalAccessException {
        Type[] types = method.getGenericParameterTypes();
        ObjectReader[] readers = new ObjectReader[types.length];
        for (int i = 0; i < types.length; i++) {
            readers[i] = mapper.readerFor(mapper.getTypeFactory().constructType(types[i]));
        }
        MethodHandle handle = MethodHandles.publicLookup()
                .unreflect(method)
                .bindTo(service)
                .asSpreader(Object[].class, types.length)
                .asType(MethodType.methodType(Object.class, Object[].class));
        return new EndpointMethod(method.getName(), signatureOf(method), readers, handle);
    }

    int arity() {
        return parameterReaders.length;
    }

    String signature() {
        return signature;
    }

    /** Maps the JSON arguments onto the parameter types; the array must have exactly {@link #arity()} elements. */
    Object[] arguments(JsonNode array) throws CallFailure {
        Object[] args = new Object[parameterReaders.length];
        for (int i = 0; i < args.length; i++) {
            JsonNode value = array.get(i);
            try {
                args[i] = parameterReaders[i].readValue(value);
            } catch (IOException | IllegalArgumentException e) {
                throw CallFailure.badArguments("argument " + (i + 1) + " of " + signature + ": cannot map " + value
                        + " (" + firstLine(e.getMessage()) + ")");
            }
        }
        return args;
    }

    Object invoke(Object[] args) throws CallFailure {
        try {
            return (Object) invoker.invokeExact(args);
        } catch (Error e) {
            throw e;
        } catch (Throwable thrown) {
            throw CallFailure.threw(thrown);
        }
    }

    private static String signatureOf(Method method) {
        StringBuilder text = new StringBuilder(method.getName()).append('(');
        Class<?>[] params = method.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            text.append(i == 0 ? "" : ", ").append(params[i].getSimpleName());
        }
        return text.append(')').toString();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    @Override
    public String toString() {
        return name + "/" + arity();
    }
}
