/** Fixture: the API gains greetAll, yet the package version stays 1.0.0 — understated. */
@Export
@Version("1.0.0")
package dev.vessel.sample.greeter.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
