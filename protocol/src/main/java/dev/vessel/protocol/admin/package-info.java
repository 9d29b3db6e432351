/**
 * The bodies of the admin API's requests, as the node reads them and the {@code vessel} command writes them, its
 * answers ({@link dev.vessel.protocol.admin.AdminAnswers}), and
 * {@link dev.vessel.protocol.admin.AdminJson}, the one way both turn them into JSON and back. The records give the
 * shape; the node checks the values (names, sizes, printable text) and answers {@code 400} with what was wrong.
 */
@Export
@Version("1.5.0")
package dev.vessel.protocol.admin;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
