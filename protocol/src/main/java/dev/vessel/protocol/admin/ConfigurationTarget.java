package dev.vessel.protocol.admin;

import java.util.Map;

/**
 * Properties of configuration {@code pid} aimed at the containers of a version {@code range}, of the
 * {@code nodes} a selector names, or both.
 */
public record ConfigurationTarget(String pid, String range, String nodes, Map<String, Object> properties) {}
