import Foundation
import Logging
import NIOConcurrencyHelpers

/// Sharding across replicas: targets hash onto `shards` buckets (`ShardHash`), each bucket a Lease
/// (`<lease>-shard-K`) won and renewed under the same rules as the single leader Lease
/// (`LeaderElectionStateMachine`), and each replica holds its fair share (`ShardBalance`) of them. The
/// replicas learn of each other from a members Lease (`<lease>-members`, `ShardRoster`).
///
/// Safety is leader election's, per bucket: `holds(_:)` turns false by itself once the bucket's last
/// successful renewal is older than the renew deadline, before any other replica can see the Lease expire;
/// a bucket given up for balance stops being held before its Lease is released.
///
/// `run` returns after `requestShutdown()` (having released its buckets and left the roster) or when its task
/// is cancelled (without releasing: the others take the buckets once their Leases expire, as after a crash).
public final class ShardElector: Sendable {
    /// Names and timing.
    public struct Configuration: Sendable, Equatable {
        /// The number of buckets, ≥ 1. Every replica must use the same number.
        public var shards: Int
        /// Prefix of the Lease names: buckets are `<leaseName>-shard-K`, the roster `<leaseName>-members`.
        public var leaseName: String
        /// Identity, timing and the endpoint written on held buckets' Leases (for forwarded load).
        public var election: LeaderElectionStateMachine.Configuration

        /// Creates a configuration.
        public init(shards: Int, leaseName: String, election: LeaderElectionStateMachine.Configuration) {
            self.shards = shards
            self.leaseName = leaseName
            self.election = election
        }

        /// The Lease of bucket `shard`.
        public func leaseName(shard: Int) -> String { "\(leaseName)-shard-\(shard)" }
        /// The Lease listing the replicas.
        public var membersLeaseName: String { "\(leaseName)-members" }
    }

    /// The API to use.
    public let api: any KubernetesAPI
    /// Names and timing.
    public let configuration: Configuration
    /// Namespace of the Leases.
    public let namespace: String
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let signal = ShutdownSignal()
    /// Per bucket: held until this time (last successful renewal + renew deadline), nil when not held.
    private let leading: NIOLockedValueBox<[Date?]>
    /// Per bucket: the holder's endpoint for forwarded load, when another replica holds it.
    private let endpoints: NIOLockedValueBox<[String?]>
    /// How many replicas the last balance counted.
    private let memberCount = NIOLockedValueBox(1)
    /// The longest `Retry-After` (seconds) the API server sent during the current pass of `run`; nil when none.
    private let retryAfter = NIOLockedValueBox<Double?>(nil)

    /// Creates an elector.
    /// - Throws: `KubernetesConfigurationError` when the timing is inconsistent or `shards` is below 1.
    public init(api: any KubernetesAPI, configuration: Configuration, namespace: String,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "inferscale.sharding")) throws {
        if let problem = configuration.election.validationError() {
            throw KubernetesConfigurationError(code: .invalidSetting, message: problem)
        }
        guard configuration.shards >= 1 else {
            throw KubernetesConfigurationError(code: .invalidSetting, message: "shards (\(configuration.shards)) must be at least 1")
        }
        self.api = api
        self.configuration = configuration
        self.namespace = namespace
        self.now = now
        self.logger = logger
        leading = NIOLockedValueBox(Array(repeating: nil, count: configuration.shards))
        endpoints = NIOLockedValueBox(Array(repeating: nil, count: configuration.shards))
    }

    /// Whether this replica holds bucket `shard` now (and may patch its targets).
    public func holds(shard: Int) -> Bool {
        let time = now()
        return leading.withLockedValue { shard >= 0 && shard < $0.count && $0[shard].map { time < $0 } == true }
    }

    /// Whether this replica holds the bucket of target `key` (`namespace/name`).
    public func holds(target key: String) -> Bool {
        holds(shard: ShardHash.bucket(of: key, shards: configuration.shards))
    }

    /// The buckets held now, ascending.
    public var heldShards: [Int] {
        let time = now()
        return leading.withLockedValue { until in until.indices.filter { i in until[i].map { time < $0 } == true } }
    }

    /// Whether this replica holds any bucket now.
    public var holdsAny: Bool { !heldShards.isEmpty }

    /// Replicas counted at the last balance (this one included).
    public var members: Int { memberCount.withLockedValue { $0 } }

    /// Where the holder of target `key`'s bucket takes forwarded load (`host:port`), from its Lease; nil when
    /// this replica holds it, nobody holds it, or the holder wrote none.
    public func endpoint(forTarget key: String) -> String? {
        let shard = ShardHash.bucket(of: key, shards: configuration.shards)
        guard !holds(shard: shard) else { return nil }
        return endpoints.withLockedValue { $0[shard] }
    }

    /// Whether another replica holds target `key`'s bucket and says where it takes forwarded load.
    public func heldElsewhere(target key: String) -> Bool { endpoint(forTarget: key) != nil }

    /// Asks `run` to release the buckets and return. Safe from any task, any number of times.
    public func requestShutdown() { signal.fire() }

    private struct Bucket {
        var machine: LeaderElectionStateMachine
        /// When this replica last released the bucket for balance: it does not take it back for a lease duration.
        var releasedAt: Date?
    }

    /// Runs until `requestShutdown()` or cancellation.
    /// - Parameter onChange: called with a bucket and `true` when it is won, `false` when it is lost or given up.
    public func run(onChange: @escaping @Sendable (Int, Bool) async -> Void = { _, _ in }) async {
        let election = configuration.election
        var buckets = (0..<configuration.shards).map {
            Bucket(machine: LeaderElectionStateMachine(configuration: election, namespace: namespace, leaseName: configuration.leaseName(shard: $0)))
        }
        var roster = ShardRoster(identity: election.identity, leaseDuration: election.leaseDuration)
        // The first pass only joins the roster and reads the shards: replicas starting together then see each
        // other before they take anything, instead of each taking every shard and giving most back.
        var joined = false
        while !Task.isCancelled && !signal.isFired {
            retryAfter.withLockedValue { $0 = nil }
            await renewRoster(&roster, leaving: false)
            var pending: [Int: Lease] = [:]
            for shard in buckets.indices {
                var action = buckets[shard].machine.tick(now: now())
                for _ in 0..<4 {
                    if action == .none || Task.isCancelled { break }
                    if case .tryAcquire(let lease) = action {
                        // Taking a bucket waits for the balance below.
                        pending[shard] = lease
                        break
                    }
                    action = await perform(action, shard: shard, machine: &buckets[shard].machine, onChange: onChange)
                }
            }
            let time = now()
            let holders = buckets.indices.map { holds(shard: $0) ? election.identity : buckets[$0].machine.liveHolder(now: time) }
            let members = roster.live(now: time).union(holders.compactMap { $0 })
            memberCount.withLockedValue { $0 = members.count }
            let blocked = Set(buckets.indices.filter { i in buckets[i].releasedAt.map { time.timeIntervalSince($0) < election.leaseDuration } == true })
            let plan = ShardBalance.plan(identity: election.identity, holders: holders, members: members, blocked: blocked)
            for shard in plan.release {
                await release(shard, bucket: &buckets[shard], onChange: onChange, reason: "balance: \(members.count) replicas share \(configuration.shards) shards")
            }
            for shard in plan.acquire where joined {
                guard let lease = pending[shard] else { continue }
                var action = await perform(.tryAcquire(lease), shard: shard, machine: &buckets[shard].machine, onChange: onChange)
                for _ in 0..<2 where action != .none {
                    action = await perform(action, shard: shard, machine: &buckets[shard].machine, onChange: onChange)
                }
            }
            joined = true
            let after = now()
            let seen = buckets.map { $0.machine.leaderEndpoint(now: after) }
            endpoints.withLockedValue { $0 = seen }
            // One API server answers every Lease: its longest hint of the pass, within each held shard's deadline.
            let hint = retryAfter.withLockedValue { $0 }
            let delay = buckets.map { $0.machine.retryDelay(retryAfter: hint, now: after) }.min() ?? election.retryPeriod
            await signal.sleep(for: .milliseconds(Int64(delay * 1000)))
        }
        if Task.isCancelled {
            for shard in buckets.indices where leading.withLockedValue({ $0[shard] }) != nil {
                leading.withLockedValue { $0[shard] = nil }
                await onChange(shard, false)
            }
            return
        }
        for shard in buckets.indices {
            await release(shard, bucket: &buckets[shard], onChange: onChange, reason: "shutting down")
        }
        await renewRoster(&roster, leaving: true)
    }

    /// Keeps the longest `Retry-After` (429/503) of this pass's Lease calls.
    private func noteRetryAfter(_ error: any Error) {
        guard let hint = (error as? KubernetesError)?.retryAfterSeconds else { return }
        retryAfter.withLockedValue { $0 = max($0 ?? 0, hint) }
    }

    /// Stops acting on `shard` at once, then writes its Lease free so another replica takes it at its next retry.
    private func release(_ shard: Int, bucket: inout Bucket, onChange: @Sendable (Int, Bool) async -> Void, reason: String) async {
        let wasHeld = leading.withLockedValue { state -> Bool in
            defer { state[shard] = nil }
            return state[shard] != nil
        }
        if wasHeld { await onChange(shard, false) }
        let action = bucket.machine.shutdown(now: now())
        bucket.machine = LeaderElectionStateMachine(configuration: configuration.election, namespace: namespace,
                                                    leaseName: configuration.leaseName(shard: shard))
        guard case .release(let lease) = action else { return }
        bucket.releasedAt = now()
        do {
            _ = try await bounded(configuration.leaseName(shard: shard)) { [api] in try await api.updateLease(lease) }
            logger.info("released a shard", metadata: ["inferscale.shard": "\(shard)", "inferscale.reason": "\(reason)"])
        } catch {
            logger.warning("could not release a shard; another replica takes it when its Lease expires",
                           metadata: ["inferscale.shard": "\(shard)", "inferscale.error": "\(error)"])
        }
    }

    /// Reads the members Lease and writes this replica's entry (or removes it when `leaving`); a conflict (another
    /// replica wrote first) reads and tries again, twice at most; anything else waits for the next retry.
    private func renewRoster(_ roster: inout ShardRoster, leaving: Bool) async {
        let name = configuration.membersLeaseName
        for _ in 0..<3 {
            let current: Lease?
            do {
                current = try await bounded(name) { [api, namespace] in try await api.getLease(namespace: namespace, name: name) }
            } catch let error as KubernetesError where error.code == .notFound {
                current = nil
            } catch {
                noteRetryAfter(error)
                logger.debug("reading the members lease failed: \(error)")
                return
            }
            roster.observe(current, now: now())
            let base = current ?? Lease(metadata: ObjectMeta(name: name, namespace: namespace), spec: LeaseSpec(holderIdentity: ""))
            let written = roster.renewed(base, now: now(), leaving: leaving)
            do {
                _ = try await bounded(name) { [api] in
                    written.metadata.resourceVersion == nil ? try await api.createLease(written) : try await api.updateLease(written)
                }
                return
            } catch let error as KubernetesError where error.code == .conflict || error.code == .alreadyExists {
                continue
            } catch {
                noteRetryAfter(error)
                logger.debug("writing the members lease failed: \(error)")
                return
            }
        }
    }

    private func perform(_ action: LeaderElectionStateMachine.Action, shard: Int, machine: inout LeaderElectionStateMachine,
                         onChange: @Sendable (Int, Bool) async -> Void) async -> LeaderElectionStateMachine.Action {
        let name = configuration.leaseName(shard: shard)
        switch action {
        case .none, .stop, .release:
            return .none
        case .readLease:
            do {
                let lease = try await bounded(name) { [api, namespace] in try await api.getLease(namespace: namespace, name: name) }
                return machine.observed(lease, now: now())
            } catch let error as KubernetesError where error.code == .notFound {
                return machine.observed(nil, now: now())
            } catch {
                noteRetryAfter(error)
                logger.debug("reading a shard lease failed: \(error)", metadata: ["inferscale.shard": "\(shard)"])
                return machine.readFailed(now: now())
            }
        case .tryAcquire(let lease), .renew(let lease):
            do {
                let written = try await bounded(name) { [api] in
                    lease.metadata.resourceVersion == nil ? try await api.createLease(lease) : try await api.updateLease(lease)
                }
                let result = machine.writeSucceeded(written, now: now())
                if machine.role == .leader, let renewed = machine.lastRenewal {
                    let until = renewed.addingTimeInterval(configuration.election.renewDeadline)
                    leading.withLockedValue { $0[shard] = until }
                }
                return result
            } catch let error as KubernetesError where error.code == .conflict || error.code == .alreadyExists {
                return machine.writeConflict(now: now())
            } catch {
                noteRetryAfter(error)
                logger.debug("writing a shard lease failed: \(error)", metadata: ["inferscale.shard": "\(shard)"])
                return machine.writeFailed(now: now())
            }
        case .becameLeader:
            let until = (machine.lastRenewal ?? now()).addingTimeInterval(configuration.election.renewDeadline)
            leading.withLockedValue { $0[shard] = until }
            logger.info("holds a shard", metadata: ["inferscale.shard": "\(shard)", "inferscale.identity": "\(configuration.election.identity)"])
            await onChange(shard, true)
            return .none
        case .lostLeadership:
            leading.withLockedValue { $0[shard] = nil }
            logger.warning("lost a shard", metadata: ["inferscale.shard": "\(shard)", "inferscale.identity": "\(configuration.election.identity)"])
            await onChange(shard, false)
            return .none
        }
    }

    /// One Lease request, failed with `.timeout` after half the renew deadline (as `LeaderElector`).
    private func bounded<T: Sendable>(_ name: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withLeaseDeadline(configuration.election.renewDeadline / 2, namespace: namespace, name: name, operation)
    }
}
