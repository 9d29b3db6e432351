/** The greeter API, release 1.1.0. */
@Export
@Version("1.1.0")
package dev.vessel.sample.greeter.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
