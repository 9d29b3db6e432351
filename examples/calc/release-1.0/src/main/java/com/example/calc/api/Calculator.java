package com.example.calc.api;

import org.osgi.annotation.versioning.ProviderType;

/** Adds numbers. */
@ProviderType
public interface Calculator {
    long add(long a, long b);
}
