/** The greeter API, release 2.0.0. */
@Export
@Version("2.0.0")
package dev.vessel.sample.greeter.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
