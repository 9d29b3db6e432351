/**
 * The wire contract between Vessel nodes, clients and the {@code vessel} command: the header names of the data
 * plane and the catalogue of error codes every answer's {@code {"error": CODE, "message": ...}} body uses.
 */
@Export
@Version("1.0.0")
package dev.vessel.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
