package dev.vessel.protocol.admin;

import java.util.List;

/**
 * {@code POST /v1/admin/artifacts/{sha256}/upload}: an artifact of {@code size} bytes arrives in chunks of
 * {@code chunkSize} bytes whose SHA-256 digests are {@code digests}, in order.
 */
public record StartUpload(long size, int chunkSize, List<String> digests) {}
