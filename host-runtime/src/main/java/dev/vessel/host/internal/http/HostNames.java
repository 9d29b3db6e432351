package dev.vessel.host.internal.http;

import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The names a node answers calls to, checked against each call's {@code Host}. A page on another site that
 * rebinds its own name to the node's address (DNS rebinding) sends that name as its {@code Host}, so it is
 * refused, while every client that reaches the node by an address (as routers do, from the registry), by
 * {@code localhost} or by one of the node's names is answered.
 */
public final class HostNames {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Set<String> names;

    private HostNames(Set<String> names) {
        this.names = names;
    }

    /** Addresses, {@code localhost} and {@code names} (compared without case). */
    public static HostNames of(Collection<String> names) {
        return new HostNames(names.stream().filter(name -> name != null && !name.isBlank())
                .map(name -> name.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
    }

    /** Whether a request's host (as the {@code Host} header gives it, without its port) is one of the node's. */
    public boolean answers(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1); // the absolute form of the same name
        }
        return IPV4.matcher(name).matches() || name.startsWith("[") || name.indexOf(':') >= 0
                || name.equals("localhost") || names.contains(name);
    }

    /** The names besides addresses and localhost, for an error message. */
    public Set<String> names() {
        return names;
    }
}
