/// Reading Knative's `config-autoscaler` ConfigMap as the cluster stores it, which differs from `--config` flags in
/// three ways, as Knative's own reader (`pkg/autoscaler/config/config.go`, `NewConfigFromMap`) does it:
/// - `_example` (Knative's documentation block) and keys this version does not know are ignored, not errors: the
///   ConfigMap belongs to whichever Knative release is installed, and a newer one may carry keys inferscale lacks;
/// - `pod-autoscaler-class` may name any class (`hpa.autoscaling.knative.dev`, a vendor's): it only says whose a
///   PodAutoscaler without the class annotation is;
/// - an invalid value rejects the whole ConfigMap (the caller keeps the settings in force and says why).
extension AutoscalerConfig {
    /// A ConfigMap read.
    public struct ConfigMapReading: Sendable, Equatable {
        /// The settings: defaults, then the ConfigMap, then `overrides`.
        public var config: AutoscalerConfig
        /// Keys that were ignored (unknown to this version), sorted; `_`-prefixed keys are not listed.
        public var ignoredKeys: [String]
    }

    /// Reads `data` (a `config-autoscaler` ConfigMap's) over Knative's defaults, then applies `overrides` (the
    /// operator's `--config key=value` flags, which win), and validates the result.
    /// - Throws: `ConfigurationError` for the first invalid value (ConfigMap or override), naming the key.
    public static func reading(configMap data: [String: String], overrides: [(String, String)] = []) throws(ConfigurationError)
        -> ConfigMapReading
    {
        var config = AutoscalerConfig()
        var ignored: [String] = []
        for (key, raw) in data.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("_") { continue }
            if key == "pod-autoscaler-class" {
                let value = raw.trimmingSpaces
                guard !value.isEmpty else { throw ConfigurationError(key: key, value: raw, expected: "a PodAutoscaler class name") }
                config.podAutoscalerClass = value
                continue
            }
            guard keys.contains(key) else {
                ignored.append(key)
                continue
            }
            try config.set(key, raw)
        }
        for (key, raw) in overrides { try config.set(key, raw) }
        try config.validate()
        return ConfigMapReading(config: config, ignoredKeys: ignored)
    }
}
