package dev.vessel.host.internal.container;

import dev.vessel.host.guard.ExitGuard;
import java.nio.charset.StandardCharsets;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.osgi.framework.Bundle;
import org.osgi.framework.hooks.weaving.WeavingHook;
import org.osgi.framework.hooks.weaving.WovenClass;

/**
 * Rewrites every {@code System.exit}, {@code Runtime.exit} and {@code Runtime.halt} call in a container's bundles
 * into a call of {@link ExitGuard}, which refuses with a {@link SecurityException}. Java 17 without a
 * SecurityManager has no other way to keep a release from ending the host process.
 *
 * <p>Each replacement takes exactly the operands of the call it replaces and returns void like it, so the
 * method's stack map stays valid and nothing has to be recomputed. Reflection and method handles reach the real
 * methods; docs/architecture.md lists what a release can still do to its host.
 */
final class ExitCallWeaver implements WeavingHook {
    static final String GUARD_PACKAGE = ExitGuard.class.getPackageName();
    private static final String GUARD = ExitGuard.class.getName().replace('.', '/');
    private static final byte[] EXIT = "exit".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HALT = "halt".getBytes(StandardCharsets.US_ASCII);

    @Override
    public void weave(WovenClass wovenClass) {
        Bundle bundle = wovenClass.getBundleWiring().getBundle();
        if (bundle.getBundleId() == 0 || bundle.getLocation().startsWith(PlatformBundles.LOCATION_PREFIX)) {
            return; // the system bundle and the host's own platform (SCR, OSGi APIs) are trusted
        }
        byte[] bytes = wovenClass.getBytes();
        if (!contains(bytes, EXIT) && !contains(bytes, HALT)) {
            return; // the constant pool names neither method: nothing to rewrite, and no parse
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
                        String guardDesc = opcode == Opcodes.INVOKESTATIC ? "(I)V" : "(Ljava/lang/Runtime;I)V";
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, GUARD, replacement, guardDesc, false);
                    }
                };
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    private static String replacement(int opcode, String owner, String method, String desc) {
        if (!desc.equals("(I)V")) {
            return null;
        }
        if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/lang/System") && method.equals("exit")) {
            return "systemExit";
        }
        if (opcode == Opcodes.INVOKEVIRTUAL && owner.equals("java/lang/Runtime")) {
            return method.equals("exit") ? "runtimeExit" : method.equals("halt") ? "runtimeHalt" : null;
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
