package dev.vessel.host.internal.container;

import dev.vessel.host.guard.ExitGuard;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.weaving.WeavingHook;
import org.osgi.framework.hooks.weaving.WovenClass;

/**
 * Rewrites every {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} call in a container's bundles
 * into a call of {@link ExitGuard}, which refuses with a {@link SecurityException}; method references to them
 * (lambda bootstrap arguments and method handle constants) point to the guard instead; and the calls that find a
 * method by name or list them ({@code Class.getMethod}, {@code getDeclaredMethod}, {@code getMethods},
 * {@code getDeclaredMethods}, {@code Lookup.findStatic}, {@code findVirtual}, {@code findSpecial}) go through the
 * guard, which refuses or leaves out those three. Java 17 without a SecurityManager has no
 * other way to keep a release from ending the host process.
 *
 * <p>Each replacement takes exactly the operands of the call it replaces (a virtual call's receiver becomes the
 * guard's first parameter) and returns what it returns, so the method's stack map stays valid and nothing has to be
 * recomputed. docs/architecture.md lists what a release can still do to its host.
 */
final class ExitCallWeaver implements WeavingHook {
    static final String GUARD_PACKAGE = ExitGuard.class.getPackageName();
    private static final String GUARD = ExitGuard.class.getName().replace('.', '/');
    /** Names one of which a class's constant pool holds if it has anything to rewrite ({@code getMethods} included). */
    private static final List<byte[]> MARKERS = Stream.of("exit", "halt", "getMethod", "getDeclaredMethod",
            "findStatic", "findVirtual", "findSpecial").map(name -> name.getBytes(StandardCharsets.US_ASCII)).toList();
    private static final String CLASS = "java/lang/Class";
    private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
    private static final String FIND_DESC = "(Ljava/lang/Class;Ljava/lang/String;Ljava/lang/invoke/MethodType;";
    private static final String HANDLE = "Ljava/lang/invoke/MethodHandle;";

    @Override
    public void weave(WovenClass wovenClass) {
        Bundle bundle = wovenClass.getBundleWiring().getBundle();
        if (bundle.getBundleId() == 0 || bundle.getLocation().startsWith(PlatformBundles.LOCATION_PREFIX)) {
            return; // the system bundle and the host's own platform (SCR, OSGi APIs) are trusted
        }
        byte[] bytes = wovenClass.getBytes();
        if (MARKERS.stream().noneMatch(marker -> contains(bytes, marker))) {
            return; // the constant pool names none of them: nothing to rewrite, and no parse
        }
        byte[] woven = rewrite(bytes);
        if (woven != null) {
            wovenClass.setBytes(woven);
            wovenClass.getDynamicImports().add(GUARD_PACKAGE);
        }
    }

    /** The class with its exit calls replaced, or null if it makes none. */
    static byte[] rewrite(byte[] bytes) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] changed = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                return new MethodVisitor(Opcodes.ASM9, next) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String method, String desc,
                            boolean isInterface) {
                        String replacement = replacement(opcode, owner, method, desc);
                        if (replacement == null) {
                            super.visitMethodInsn(opcode, owner, method, desc, isInterface);
                            return;
                        }
                        changed[0] = true;
                        // the receiver of a virtual call becomes the guard's first parameter
                        String guardDesc = opcode == Opcodes.INVOKESTATIC ? desc
                                : "(L" + owner + ";" + desc.substring(1);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, replacement, guardDesc, false);
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String name, String desc, Handle bootstrap,
                            Object... arguments) {
                        Object[] rewritten = arguments.clone();
                        for (int i = 0; i < rewritten.length; i++) {
                            if (rewritten[i] instanceof Handle handle && guarded(handle) != null) {
                                rewritten[i] = guarded(handle);
                                changed[0] = true;
                            }
                        }
                        super.visitInvokeDynamicInsn(name, desc, bootstrap, rewritten);
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof Handle handle && guarded(handle) != null) {
                            changed[0] = true;
                            super.visitLdcInsn(guarded(handle));
                            return;
                        }
                        super.visitLdcInsn(value);
                    }
                };
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    private static String replacement(int opcode, String owner, String method, String desc) {
        if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/lang/System") && method.equals("exit")
                && desc.equals("(I)V")) {
            return "systemExit";
        }
        if (opcode != Opcodes.INVOKEVIRTUAL) {
            return null;
        }
        if (owner.equals("java/lang/Runtime") && desc.equals("(I)V")) {
            return method.equals("exit") ? "runtimeExit" : method.equals("halt") ? "runtimeHalt" : null;
        }
        if (owner.equals(CLASS) && (method.equals("getMethod") || method.equals("getDeclaredMethod"))
                && desc.equals("(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;")) {
            return method;
        }
        if (owner.equals(CLASS) && (method.equals("getMethods") || method.equals("getDeclaredMethods"))
                && desc.equals("()[Ljava/lang/reflect/Method;")) {
            return method;
        }
        boolean find = method.equals("findStatic") || method.equals("findVirtual");
        if (owner.equals(LOOKUP) && ((find && desc.equals(FIND_DESC + ")" + HANDLE))
                || (method.equals("findSpecial") && desc.equals(FIND_DESC + "Ljava/lang/Class;)" + HANDLE)))) {
            return method;
        }
        return null;
    }

    /**
     * The guard's stand-in for a method handle constant that names an exit method (as a method reference compiles
     * to), else null. A virtual method's receiver becomes the stand-in's first parameter, which lambda bootstraps
     * accept for bound and unbound references alike.
     */
    private static Handle guarded(Handle handle) {
        if (!handle.getDesc().equals("(I)V")) {
            return null;
        }
        if (handle.getTag() == Opcodes.H_INVOKESTATIC && handle.getOwner().equals("java/lang/System")
                && handle.getName().equals("exit")) {
            return new Handle(Opcodes.H_INVOKESTATIC, GUARD, "systemExit", "(I)V", false);
        }
        if (handle.getTag() == Opcodes.H_INVOKEVIRTUAL && handle.getOwner().equals("java/lang/Runtime")
                && (handle.getName().equals("exit") || handle.getName().equals("halt"))) {
            return new Handle(Opcodes.H_INVOKESTATIC, GUARD, handle.getName().equals("exit") ? "runtimeExit"
                    : "runtimeHalt", "(Ljava/lang/Runtime;I)V", false);
        }
        return null;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
