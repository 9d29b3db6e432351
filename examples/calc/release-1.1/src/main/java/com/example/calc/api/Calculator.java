package com.example.calc.api;

import org.osgi.annotation.versioning.ProviderType;

/** Adds and multiplies numbers: 1.1 adds {@link #multiply}, so callers of 1.0 are served by it too. */
@ProviderType
public interface Calculator {
    long add(long a, long b);

    long multiply(long a, long b);
}
