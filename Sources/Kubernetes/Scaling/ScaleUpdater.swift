import Logging

/// Sets a Deployment's replicas through its `/scale` subresource: read, then a merge-patch guarded by the
/// resourceVersion just read. On 409 Conflict it reads again and retries (bounded); on 5xx, 429, timeouts and
/// transport errors it backs off with jitter and retries (bounded), waiting at least the server's `Retry-After` on a 429
/// or 503 (up to `maxRetryAfterSeconds`); anything else (403, 404, 422) is thrown at once.
public struct ScaleUpdater: Sendable {
    /// Retry limits.
    public struct Configuration: Sendable, Equatable {
        /// Most conflicts (409) tolerated before giving up. Default 5.
        public var maxConflictRetries: Int = 5
        /// Most retryable failures (5xx, timeouts) tolerated before giving up. Default 4.
        public var maxErrorRetries: Int = 4
        /// Backoff between retryable failures. Default 0.2 s doubling to 2 s, 20 % jitter.
        public var backoff = Backoff(initialSeconds: 0.2, maximumSeconds: 2, jitterFraction: 0.2)
        /// Longest `Retry-After` a write waits for, seconds. Default 10 (five decide ticks): a decision sent later
        /// than that is stale, so a longer hint ends the write at once with the error and the next tick decides
        /// again on fresh samples — never sooner than the server asked.
        public var maxRetryAfterSeconds: Double = 10

        /// Creates the defaults.
        public init(maxConflictRetries: Int = 5, maxErrorRetries: Int = 4, backoff: Backoff = Backoff(initialSeconds: 0.2, maximumSeconds: 2, jitterFraction: 0.2),
                    maxRetryAfterSeconds: Double = 10) {
            self.maxConflictRetries = maxConflictRetries
            self.maxErrorRetries = maxErrorRetries
            self.backoff = backoff
            self.maxRetryAfterSeconds = maxRetryAfterSeconds
        }
    }

    /// What a `setReplicas` call did.
    public struct Result: Sendable, Equatable {
        /// `spec.replicas` before the change.
        public var previousReplicas: Int
        /// `spec.replicas` after the change.
        public var replicas: Int
        /// False when the Deployment already had the wanted replicas (no PATCH was sent).
        public var changed: Bool
        /// 409 Conflicts met on the way.
        public var conflicts: Int
        /// Retryable failures met on the way.
        public var errors: Int
        /// The Scale as the server last returned it (its uid and resourceVersion are the Deployment's).
        public var scale: Scale
    }

    /// The API to use.
    public let api: any KubernetesAPI
    /// Retry limits.
    public let configuration: Configuration
    private let jitter: @Sendable () -> Double
    private let logger: Logger

    /// Creates an updater.
    /// - Parameter jitter: random numbers in [0, 1) for backoff jitter; injectable for tests.
    public init(
        api: any KubernetesAPI, configuration: Configuration = Configuration(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "inferscale.kubernetes.scale")
    ) {
        self.api = api
        self.configuration = configuration
        self.jitter = jitter
        self.logger = logger
    }

    /// Sets `spec.replicas` of the workload `deployment` (a Deployment, or another `kind` with a `/scale`) to
    /// `replicas` (≥ 0).
    /// - Throws: `KubernetesError` (403 names the missing permission; `.conflict` after too many conflicts).
    public func setReplicas(namespace: String, deployment: String, kind: ScaleTargetKind = .deployment, replicas: Int) async throws -> Result {
        var conflicts = 0
        var errors = 0
        // Each pass is one read and at most one write; the bounds below end the loop.
        while true {
            do {
                let current = try await api.getScale(namespace: namespace, kind: kind, name: deployment)
                if current.replicas == replicas {
                    return Result(
                        previousReplicas: current.replicas, replicas: replicas, changed: false, conflicts: conflicts,
                        errors: errors, scale: current)
                }
                let written = try await api.patchScale(
                    namespace: namespace, kind: kind, name: deployment, replicas: replicas,
                    resourceVersion: current.metadata.resourceVersion)
                return Result(
                    previousReplicas: current.replicas, replicas: written.replicas, changed: true, conflicts: conflicts,
                    errors: errors, scale: written)
            } catch let error as KubernetesError where error.code == .conflict {
                conflicts += 1
                logger.debug("scale conflict on \(namespace)/\(deployment); reading again (\(conflicts))")
                if conflicts > configuration.maxConflictRetries { throw error }
            } catch let error as KubernetesError where error.isRetryable {
                errors += 1
                if errors > configuration.maxErrorRetries { throw error }
                var delay = configuration.backoff.delay(failures: errors, jitter: jitter())
                if let hint = error.retryAfterSeconds {
                    guard hint <= configuration.maxRetryAfterSeconds else { throw error }
                    delay = max(delay, hint)
                }
                logger.info("scaling \(namespace)/\(deployment) failed (\(error.code.rawValue)); retrying in \(delay) s")
                try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            }
        }
    }
}
