import Foundation
import Logging
import NIOConcurrencyHelpers

/// Runs a `LeaderElectionStateMachine` against the API: ticks every `retryPeriod`, performs reads and writes,
/// and reports leadership changes. Only the leader should patch; followers keep deciding so that a takeover acts
/// at once.
///
/// `run` returns after `requestShutdown()` (having released the Lease if it led) or when its task is cancelled
/// (without releasing: the others take over once the lease expires, as after a crash).
///
/// Each Lease request is bounded by half the renew deadline, and `isLeader` turns false by itself once the last
/// successful renewal is older than the renew deadline, so a request that hangs cannot leave two candidates
/// acting as leader: the others wait for the (longer) lease duration before they take over. A 429 or 503 with
/// `Retry-After` delays the next request as asked, but a leader's never past one retry period before its renew
/// deadline (`LeaderElectionStateMachine.retryDelay`).
public final class LeaderElector: Sendable {
    /// The API to use.
    public let api: any KubernetesAPI
    /// Timing and identity.
    public let configuration: LeaderElectionStateMachine.Configuration
    /// Namespace of the Lease.
    public let namespace: String
    /// Name of the Lease.
    public let leaseName: String
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Leader until this time (last successful renewal + renew deadline); nil when not leading.
    private let leading = NIOLockedValueBox<Date?>(nil)
    private let signal = ShutdownSignal()
    private let observedLeaderEndpoint = NIOLockedValueBox<String?>(nil)

    /// Where the current leader takes forwarded load (`host:port`), from its Lease; nil while this
    /// candidate leads or when no leader has written one.
    public var leaderEndpoint: String? { observedLeaderEndpoint.withLockedValue { $0 } }

    /// Creates an elector.
    /// - Parameters:
    ///   - now: wall clock, injectable for tests; default `Date()`.
    /// - Throws: `KubernetesConfigurationError` when the timing is inconsistent.
    public init(
        api: any KubernetesAPI, configuration: LeaderElectionStateMachine.Configuration, namespace: String,
        leaseName: String, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "inferscale.leader-election")
    ) throws {
        if let problem = configuration.validationError() {
            throw KubernetesConfigurationError(code: .invalidSetting, message: problem)
        }
        self.api = api
        self.configuration = configuration
        self.namespace = namespace
        self.leaseName = leaseName
        self.now = now
        self.logger = logger
    }

    /// True while this candidate is the leader and its last successful renewal is within the renew deadline.
    public var isLeader: Bool {
        guard let until = leading.withLockedValue({ $0 }) else { return false }
        return now() < until
    }

    /// Asks `run` to release the Lease (if leading) and return. Safe to call from any task, any number of times.
    public func requestShutdown() {
        signal.fire()
    }

    /// Runs the election until `requestShutdown()` or cancellation.
    /// - Parameter onChange: called with `true` on becoming leader and `false` on losing or giving up leadership.
    public func run(onChange: @escaping @Sendable (Bool) async -> Void = { _ in }) async {
        var machine = LeaderElectionStateMachine(configuration: configuration, namespace: namespace, leaseName: leaseName)
        while !Task.isCancelled && !signal.isFired {
            var action = machine.tick(now: now())
            var retryAfter: Double?
            // One tick needs at most: read → write → became/lost leader.
            for _ in 0..<4 {
                if action == .none || Task.isCancelled { break }
                action = await perform(action, machine: &machine, retryAfter: &retryAfter, onChange: onChange)
            }
            let endpoint = machine.leaderEndpoint(now: now())
            observedLeaderEndpoint.withLockedValue { $0 = endpoint }
            let delay = machine.retryDelay(retryAfter: retryAfter, now: now())
            if delay > configuration.retryPeriod {
                logger.debug("the API server asked to wait: next Lease request in \(delay) s",
                             metadata: ["inferscale.lease": "\(namespace)/\(leaseName)", "inferscale.retry-after": "\(retryAfter ?? 0)"])
            }
            await signal.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
        if Task.isCancelled {
            if leading.withLockedValue({ $0 }) != nil {
                leading.withLockedValue { $0 = nil }
                await onChange(false)
            }
            return
        }
        let action = machine.shutdown(now: now())
        if leading.withLockedValue({ $0 }) != nil {
            leading.withLockedValue { $0 = nil }
            await onChange(false)
        }
        if case .release(let lease) = action {
            do {
                _ = try await bounded { [api] in try await api.updateLease(lease) }
                logger.info("released the leader lease", metadata: ["inferscale.lease": "\(namespace)/\(leaseName)"])
            } catch {
                logger.warning("could not release the leader lease; others take over when it expires: \(error)")
            }
        }
    }

    private func perform(
        _ action: LeaderElectionStateMachine.Action, machine: inout LeaderElectionStateMachine,
        retryAfter: inout Double?, onChange: @Sendable (Bool) async -> Void
    ) async -> LeaderElectionStateMachine.Action {
        switch action {
        case .none, .stop, .release:
            return .none
        case .readLease:
            do {
                let lease = try await bounded { [api, namespace, leaseName] in try await api.getLease(namespace: namespace, name: leaseName) }
                return machine.observed(lease, now: now())
            } catch let error as KubernetesError where error.code == .notFound {
                return machine.observed(nil, now: now())
            } catch {
                logger.debug("reading the leader lease failed: \(error)")
                retryAfter = (error as? KubernetesError)?.retryAfterSeconds
                return machine.readFailed(now: now())
            }
        case .tryAcquire(let lease), .renew(let lease):
            do {
                let written = try await bounded { [api] in
                    lease.metadata.resourceVersion == nil ? try await api.createLease(lease) : try await api.updateLease(lease)
                }
                let result = machine.writeSucceeded(written, now: now())
                if machine.role == .leader, let renewed = machine.lastRenewal {
                    leading.withLockedValue { $0 = renewed.addingTimeInterval(configuration.renewDeadline) }
                }
                return result
            } catch let error as KubernetesError where error.code == .conflict || error.code == .alreadyExists {
                return machine.writeConflict(now: now())
            } catch {
                logger.debug("writing the leader lease failed: \(error)")
                retryAfter = (error as? KubernetesError)?.retryAfterSeconds
                return machine.writeFailed(now: now())
            }
        case .becameLeader:
            let until = (machine.lastRenewal ?? now()).addingTimeInterval(configuration.renewDeadline)
            leading.withLockedValue { $0 = until }
            logger.info("became leader", metadata: ["inferscale.identity": "\(configuration.identity)"])
            await onChange(true)
            return .none
        case .lostLeadership:
            leading.withLockedValue { $0 = nil }
            logger.warning("lost leadership", metadata: ["inferscale.identity": "\(configuration.identity)"])
            await onChange(false)
            return .none
        }
    }

    /// Runs one Lease request, failing it with `.timeout` after half the renew deadline.
    private func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withLeaseDeadline(configuration.renewDeadline / 2, namespace: namespace, name: leaseName, operation)
    }
}
