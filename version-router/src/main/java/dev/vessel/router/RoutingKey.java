package dev.vessel.router;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the parameter of a typed-client method whose value ({@code String.valueOf}) is the call's routing key, so
 * calls with equal values stick to one instance. See {@link CallOptions#key()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface RoutingKey {}
