/**
 * Calls a release's endpoints inside a Pax Exam framework the way a node calls them: {@link
 * dev.vessel.test.endpoint.Endpoints}, with {@link dev.vessel.test.VesselOptions#endpointCalls()} among the options.
 */
@Export
@Version("1.0.0")
package dev.vessel.test.endpoint;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
