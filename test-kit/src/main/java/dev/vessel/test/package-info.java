/**
 * A kit for the integration suites of services that run on Vessel: {@link dev.vessel.test.VesselTest} runs a real
 * cluster (an embedded ZooKeeper and nodes, in the test JVM, on free loopback ports) for a JUnit 5 test class and hands
 * it to the tests as a {@link dev.vessel.test.VesselTestCluster}, which deploys releases the way {@code vessel deploy}
 * does, gives a {@code VesselClient}, kills and restarts nodes and waits for what the tests expect.
 */
@Export
@Version("1.1.0")
package dev.vessel.test;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
