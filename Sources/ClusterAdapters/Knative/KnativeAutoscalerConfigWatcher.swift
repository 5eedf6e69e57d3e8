import Kubernetes
import Logging
import NIOConcurrencyHelpers
import Scaling

/// Follows Knative Serving's `config-autoscaler` ConfigMap (in `knative-serving`) and puts each valid version in
/// force at once, as Knative's own config store does: the cluster's autoscaling defaults beneath every revision's
/// annotations and the rules, and `pod-autoscaler-class`, which decides whose a PodAutoscaler without the class
/// annotation is. The operator's `--config key=value` flags are applied on top and win.
///
/// An invalid version is rejected whole and the settings in force stay (logged as an error with the key and the
/// valid range); a deleted ConfigMap means Knative's defaults (plus the flags), as for a cluster that has none.
public struct KnativeAutoscalerConfigWatcher: Sendable {
    /// Settings.
    public struct Configuration: Sendable {
        /// Where Knative Serving runs. Default `knative-serving`.
        public var namespace = "knative-serving"
        /// The ConfigMap. Default `config-autoscaler`.
        public var name = "config-autoscaler"
        /// `--config key=value` pairs, applied over the ConfigMap in this order.
        public var overrides: [(String, String)] = []

        /// Creates settings.
        public init(namespace: String = "knative-serving", name: String = "config-autoscaler", overrides: [(String, String)] = []) {
            self.namespace = namespace
            self.name = name
            self.overrides = overrides
        }
    }

    /// What one version of the ConfigMap leads to.
    public enum Action: Sendable, Equatable {
        /// Put these settings in force; `ignoredKeys` are keys this version of inferscale does not know.
        case apply(AutoscalerConfig, ignoredKeys: [String])
        /// Keep the settings in force: this version is invalid.
        case reject(ConfigurationError)
    }

    private let api: any KubernetesAPI
    private let configuration: Configuration
    private let logger: Logger

    /// Creates a watcher.
    public init(api: any KubernetesAPI, configuration: Configuration = Configuration(), logger: Logger = Logger(label: "inferscale.knative.config")) {
        self.api = api
        self.configuration = configuration
        self.logger = logger
    }

    /// The action for the ConfigMap as it now is (nil: there is none).
    public static func action(for configMap: ConfigMap?, overrides: [(String, String)]) -> Action {
        do {
            let reading = try AutoscalerConfig.reading(configMap: configMap?.data ?? [:], overrides: overrides)
            return .apply(reading.config, ignoredKeys: reading.ignoredKeys)
        } catch {
            return .reject(error)
        }
    }

    /// Lists and watches the ConfigMap until cancelled, calling `apply` with every new valid version (and once at
    /// the start, with what the cluster has).
    public func run(apply: @Sendable (AutoscalerConfig) async -> Void) async {
        let watcher = ConfigMapWatcher(api: api, namespace: configuration.namespace, name: configuration.name, logger: logger)
        let source = "\(configuration.namespace)/\(configuration.name)"
        // What is in force and which ignored keys were reported; the watcher calls back one update at a time.
        let state = NIOLockedValueBox<(inForce: AutoscalerConfig?, ignored: [String])>((nil, []))
        await watcher.run { update in
            let configMap = update.objects[configuration.name]
            switch Self.action(for: configMap, overrides: configuration.overrides) {
            case .apply(let config, let ignored):
                let (changed, newlyIgnored) = state.withLockedValue { current -> (Bool, Bool) in
                    defer { current = (config, ignored) }
                    return (current.inForce != config, current.ignored != ignored && !ignored.isEmpty)
                }
                if newlyIgnored {
                    logger.notice("\(source): keys this inferscale does not know are ignored", metadata: ["inferscale.keys": "\(ignored.joined(separator: ","))"])
                }
                guard changed else { return }
                await apply(config)
                logger.info(configMap == nil ? "\(source) not found: Knative's defaults are in force" : "\(source) applied",
                            metadata: ["inferscale.pod_autoscaler_class": "\(config.podAutoscalerClass)",
                                       "inferscale.resource_version": "\(configMap?.metadata.resourceVersion ?? "")"])
            case .reject(let error):
                logger.error("\(source) rejected, the settings in force stay: \(error); fix the ConfigMap (kubectl -n \(configuration.namespace) edit configmap \(configuration.name))")
            }
        }
    }
}
