package dev.vessel.router;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a typed-client interface as safe to run twice, so a {@link VesselClient#proxy} retries it on
 * another instance after a failure that may have happened after it ran. See {@link CallOptions#idempotent()}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Idempotent {}
