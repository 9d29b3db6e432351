package dev.vessel.protocol.admin;

/** An uploaded jar a release is made of: its digest, and the file name it had (for messages and records). */
public record ArtifactRef(String sha256, String fileName) {}
