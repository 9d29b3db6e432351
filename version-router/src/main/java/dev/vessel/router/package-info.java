/**
 * Client side of Vessel: state the API version range you were built for and call the newest compatible
 * release through {@link dev.vessel.router.VesselClient}.
 */
@Export
@Version("1.2.0")
package dev.vessel.router;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
