package dev.vessel.cli;

import picocli.CommandLine.IVersionProvider;

final class VesselVersion implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = VesselVersion.class.getPackage().getImplementationVersion();
        return new String[] {"vessel " + (version == null ? "(development build)" : version)};
    }
}
