/**
 * The public entry point of a Vessel node: {@link dev.vessel.host.VesselNode} with its
 * {@link dev.vessel.host.NodeConfig}, the {@link dev.vessel.host.Release} it runs in containers, and
 * {@link dev.vessel.host.EmbeddedZooKeeper} for single-machine clusters. Everything under {@code internal} is
 * the node's own business.
 */
package dev.vessel.host;
