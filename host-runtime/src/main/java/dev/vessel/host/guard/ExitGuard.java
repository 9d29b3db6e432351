package dev.vessel.host.guard;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;

/**
 * What bundle code calls instead of {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt}: every
 * container weaves those calls into calls of these methods, which refuse. The host decides when its process ends,
 * never a release it runs. Method references to them are woven the same way, and the ways to reach them by name
 * ({@code Class.getMethod} and {@code getDeclaredMethod}, {@code MethodHandles.Lookup.findStatic},
 * {@code findVirtual} and {@code findSpecial}) and to list them ({@code getMethods}, {@code getDeclaredMethods})
 * pass through the guard, which refuses or leaves out those three methods and returns everything else as asked.
 *
 * <p>The system bundle of each container exports this package, and woven classes import it dynamically; it is
 * not an API for releases to call directly.
 */
public final class ExitGuard {
    private ExitGuard() {}

    /** Stands in for {@code System.exit(status)}. */
    public static void systemExit(int status) {
        throw refusal("System.exit(" + status + ")");
    }

    /** Stands in for {@code runtime.exit(status)}. */
    public static void runtimeExit(Runtime runtime, int status) {
        throw refusal("Runtime.exit(" + status + ")");
    }

    /** Stands in for {@code runtime.halt(status)}. */
    public static void runtimeHalt(Runtime runtime, int status) {
        throw refusal("Runtime.halt(" + status + ")");
    }

    /** Stands in for {@code type.getMethod(name, parameterTypes)}. */
    public static Method getMethod(Class<?> type, String name, Class<?>... parameterTypes)
            throws NoSuchMethodException {
        refuseExit(type, name);
        return type.getMethod(name, parameterTypes);
    }

    /** Stands in for {@code type.getDeclaredMethod(name, parameterTypes)}. */
    public static Method getDeclaredMethod(Class<?> type, String name, Class<?>... parameterTypes)
            throws NoSuchMethodException {
        refuseExit(type, name);
        return type.getDeclaredMethod(name, parameterTypes);
    }

    /** Stands in for {@code type.getMethods()}: the exit methods are not among them. */
    public static Method[] getMethods(Class<?> type) {
        return withoutExit(type, type.getMethods());
    }

    /** Stands in for {@code type.getDeclaredMethods()}: the exit methods are not among them. */
    public static Method[] getDeclaredMethods(Class<?> type) {
        return withoutExit(type, type.getDeclaredMethods());
    }

    /** Stands in for {@code lookup.findStatic(type, name, methodType)}. */
    public static MethodHandle findStatic(MethodHandles.Lookup lookup, Class<?> type, String name,
            MethodType methodType) throws NoSuchMethodException, IllegalAccessException {
        refuseExit(type, name);
        return lookup.findStatic(type, name, methodType);
    }

    /** Stands in for {@code lookup.findVirtual(type, name, methodType)}. */
    public static MethodHandle findVirtual(MethodHandles.Lookup lookup, Class<?> type, String name,
            MethodType methodType) throws NoSuchMethodException, IllegalAccessException {
        refuseExit(type, name);
        return lookup.findVirtual(type, name, methodType);
    }

    /** Stands in for {@code lookup.findSpecial(type, name, methodType, caller)}. */
    public static MethodHandle findSpecial(MethodHandles.Lookup lookup, Class<?> type, String name,
            MethodType methodType, Class<?> specialCaller) throws NoSuchMethodException, IllegalAccessException {
        refuseExit(type, name);
        return lookup.findSpecial(type, name, methodType, specialCaller);
    }

    private static void refuseExit(Class<?> type, String name) {
        if (isExit(type, name)) {
            throw refusal(type.getSimpleName() + "." + name + " by reflection");
        }
    }

    private static Method[] withoutExit(Class<?> type, Method[] methods) {
        if (type != System.class && type != Runtime.class) {
            return methods;
        }
        return java.util.Arrays.stream(methods).filter(method -> !isExit(type, method.getName()))
                .toArray(Method[]::new);
    }

    private static boolean isExit(Class<?> type, String name) {
        return (type == System.class && "exit".equals(name))
                || (type == Runtime.class && ("exit".equals(name) || "halt".equals(name)));
    }

    private static SecurityException refusal(String call) {
        return new SecurityException(call + " refused: a release cannot end the Vessel host that runs it");
    }
}
