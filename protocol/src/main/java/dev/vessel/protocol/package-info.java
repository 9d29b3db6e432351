/**
 * The wire contract between Vessel nodes, clients and the {@code vessel} command: the header names of the data
 * plane, the catalogue of error codes, and the {@code {"error": CODE, "message": ...}} body ({@link
 * dev.vessel.protocol.ErrorBody}) every refusal carries.
 */
@Export
@Version("1.3.0")
package dev.vessel.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
