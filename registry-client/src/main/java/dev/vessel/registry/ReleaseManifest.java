package dev.vessel.registry;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A validated release, stored at {@code {root}/releases/{service}/{version}} and never changed afterwards.
 *
 * @param service   service name
 * @param version   release version (the primary bundle's)
 * @param primary   symbolic name of the primary bundle
 * @param bundles   the bundles, in install order
 * @param endpoints endpoint names the release offers
 * @param baseline  bnd's baseline report against the previous newest release, empty for the first one
 * @param forced    whether the release was accepted with {@code --force} despite a baseline refusal
 * @param createdBy who deployed it
 * @param created   when, epoch milliseconds
 * @param configuration what the release's Metatype says each configuration PID takes (empty without Metatype,
 *                  and for releases made before it was recorded)
 */
public record ReleaseManifest(
        String service,
        String version,
        String primary,
        List<BundleRef> bundles,
        List<String> endpoints,
        String baseline,
        boolean forced,
        String createdBy,
        long created,
        List<ConfigurationSchema> configuration) {
    public ReleaseManifest(String service, String version, String primary, List<BundleRef> bundles,
            List<String> endpoints, String baseline, boolean forced, String createdBy, long created) {
        this(service, version, primary, bundles, endpoints, baseline, forced, createdBy, created, List.of());
    }

    /** The schema a PID has in this release, if its Metatype designates one. */
    public java.util.Optional<ConfigurationSchema> schema(String pid) {
        return configuration.stream().filter(s -> s.pid().equals(pid)).findFirst();
    }

    public ReleaseManifest {
        configuration = configuration == null ? List.of() : List.copyOf(configuration);
        RegistryLayout.requireName(service, "service");
        RegistryLayout.requireName(version, "version");
        requireNonNull(primary, "primary cannot be null");
        bundles = List.copyOf(bundles);
        endpoints = List.copyOf(endpoints);
        baseline = baseline == null ? "" : baseline;
        createdBy = createdBy == null ? "unknown" : createdBy;
    }
}
