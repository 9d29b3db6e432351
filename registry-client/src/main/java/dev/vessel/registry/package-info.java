/**
 * The ZooKeeper data model of Vessel: where instances, nodes and their status live, and the records stored
 * there. Node processes write through it; routers and the CLI read through it.
 */
@Export
@Version("1.6.0")
package dev.vessel.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
