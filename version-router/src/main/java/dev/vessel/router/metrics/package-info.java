/**
 * A {@link dev.vessel.router.VesselClient}'s own metrics in a Prometheus {@code client_java} registry the
 * application exports. The only package of the client that needs Prometheus: in OSGi its import is optional.
 */
@Export
@Version("1.0.0")
package dev.vessel.router.metrics;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
