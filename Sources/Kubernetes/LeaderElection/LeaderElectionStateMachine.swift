import Foundation

/// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules and defaults. Pure: every event
/// carries the current time, and the driver (`LeaderElector`) performs the actions.
///
/// Rules:
/// - A candidate takes the Lease when it does not exist, when its holder is empty (released), or when the
///   holder's record has not changed for `leaseDurationSeconds` as measured on this candidate's clock since it
///   first saw that record (so clock skew between candidates does not matter).
/// - The leader renews every `retryPeriod`. If it has not renewed successfully within `renewDeadline`, it steps
///   down (`lostLeadership`) before any other candidate can consider the Lease expired.
/// - On graceful shutdown the leader releases the Lease (empty holder), so another candidate takes over at its
///   next retry instead of after the lease duration.
public struct LeaderElectionStateMachine: Sendable {
    /// The Lease annotation holding the leader's endpoint for forwarded load.
    public static let endpointAnnotation = "inferscale.dev/leader-endpoint"

    /// Timing and identity. Durations in seconds.
    public struct Configuration: Sendable, Equatable {
        /// This candidate's identity (unique per process; the pod name is usual).
        public var identity: String
        /// How long a Lease is valid after its last renewal, in seconds. Default 15 (client-go).
        public var leaseDuration: Double = 15
        /// How long the leader keeps trying to renew before it steps down, in seconds. Default 10 (client-go).
        public var renewDeadline: Double = 10
        /// Interval between attempts to acquire or renew, in seconds. Default 2 (client-go).
        public var retryPeriod: Double = 2
        /// Where this candidate, as leader, takes load that followers forward (`host:port`); written
        /// to the Lease as the annotation `endpointAnnotation`. nil: none.
        public var endpoint: String?

        /// Creates a configuration with client-go's default timing.
        public init(identity: String, leaseDuration: Double = 15, renewDeadline: Double = 10, retryPeriod: Double = 2,
                    endpoint: String? = nil) {
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
            self.endpoint = endpoint
        }

        /// Checks leaseDuration > renewDeadline > retryPeriod > 0 and a non-empty identity; nil when valid.
        public func validationError() -> String? {
            if identity.isEmpty { return "leader election identity must not be empty" }
            if !(retryPeriod > 0) { return "retryPeriod (\(retryPeriod) s) must be > 0" }
            if !(renewDeadline > retryPeriod) {
                return "renewDeadline (\(renewDeadline) s) must be greater than retryPeriod (\(retryPeriod) s)"
            }
            if !(leaseDuration > renewDeadline) {
                return "leaseDuration (\(leaseDuration) s) must be greater than renewDeadline (\(renewDeadline) s)"
            }
            return nil
        }
    }

    /// What the driver must do.
    public enum Action: Sendable, Equatable {
        /// Nothing now.
        case none
        /// GET the Lease, then report `observed(_:now:)` (nil for 404) or `readFailed(now:)`.
        case readLease
        /// Write this Lease to take leadership: create when `metadata.resourceVersion` is nil, else update.
        /// Then report `writeSucceeded`, `writeConflict` or `writeFailed`.
        case tryAcquire(Lease)
        /// Update this Lease to renew leadership; report the outcome as for `tryAcquire`.
        case renew(Lease)
        /// This candidate is now the leader: start acting.
        case becameLeader
        /// This candidate is no longer the leader: stop acting at once.
        case lostLeadership
        /// Update this Lease (empty holder) to hand leadership back, then stop.
        case release(Lease)
        /// Stop; nothing to release.
        case stop
    }

    /// The role of this candidate.
    public enum Role: Sendable, Equatable {
        /// Not the leader; trying to acquire.
        case follower
        /// The leader.
        case leader
        /// Shut down.
        case stopped
    }

    /// Timing and identity.
    public let configuration: Configuration
    /// Namespace of the Lease.
    public let namespace: String
    /// Name of the Lease.
    public let leaseName: String
    /// The current role.
    public private(set) var role: Role = .follower
    /// The latest Lease seen or written (its resourceVersion guards the next update); nil when unknown.
    public private(set) var lease: Lease?
    /// When this candidate first saw the current Lease record (holder + renew time + transitions).
    public private(set) var observedAt: Date?
    /// When the leader last renewed successfully.
    public private(set) var lastRenewal: Date?

    /// Creates a follower.
    public init(configuration: Configuration, namespace: String, leaseName: String) {
        self.configuration = configuration
        self.namespace = namespace
        self.leaseName = leaseName
    }

    /// Time to act: the leader renews (or steps down past the renew deadline), a follower reads the Lease.
    public mutating func tick(now: Date) -> Action {
        switch role {
        case .stopped:
            return .none
        case .leader:
            if let lastRenewal, now.timeIntervalSince(lastRenewal) > configuration.renewDeadline {
                return stepDown()
            }
            guard let lease, lease.metadata.resourceVersion != nil else { return .readLease }
            return .renew(record(from: lease, now: now, acquiring: false))
        case .follower:
            return .readLease
        }
    }

    /// The Lease as read from the server; nil when it does not exist (404).
    public mutating func observed(_ current: Lease?, now: Date) -> Action {
        guard role != .stopped else { return .none }
        guard let current else {
            lease = nil
            observedAt = nil
            if role == .leader { return stepDown() }
            var fresh = Lease(
                metadata: ObjectMeta(name: leaseName, namespace: namespace),
                spec: LeaseSpec(leaseTransitions: 0))
            fresh = record(from: fresh, now: now, acquiring: true)
            return .tryAcquire(fresh)
        }
        if lease.map({ Self.sameRecord($0, current) }) != true || observedAt == nil {
            observedAt = now
        }
        lease = current
        let holder = current.spec.holderIdentity ?? ""
        if holder == configuration.identity {
            if role == .leader { return .renew(record(from: current, now: now, acquiring: false)) }
            return .tryAcquire(record(from: current, now: now, acquiring: false))
        }
        if role == .leader {
            // Someone else holds it: we lost it (e.g. our renewals failed and it expired).
            return stepDown()
        }
        if holder.isEmpty || isExpired(current, now: now) {
            return .tryAcquire(record(from: current, now: now, acquiring: true))
        }
        return .none
    }

    /// A create or update of the Lease succeeded; `written` is the server's answer.
    public mutating func writeSucceeded(_ written: Lease, now: Date) -> Action {
        guard role != .stopped else { return .none }
        lease = written
        observedAt = now
        lastRenewal = now
        guard written.spec.holderIdentity == configuration.identity else { return .none }
        if role == .follower {
            role = .leader
            return .becameLeader
        }
        return .none
    }

    /// A write got 409 (Conflict or AlreadyExists): someone else wrote first. Read again at the next tick.
    public mutating func writeConflict(now: Date) -> Action {
        lease = nil
        return checkRenewDeadline(now: now)
    }

    /// A write failed for another reason (5xx, timeout, transport).
    public mutating func writeFailed(now: Date) -> Action {
        checkRenewDeadline(now: now)
    }

    /// A read failed (other than 404).
    public mutating func readFailed(now: Date) -> Action {
        checkRenewDeadline(now: now)
    }

    /// Seconds to wait before the next attempt, given the `Retry-After` (seconds) of a 429 or 503 on this tick's
    /// Lease request (nil: none). A hint shorter than `retryPeriod` changes nothing. A leader waits for it only up
    /// to one retry period before its renew deadline, so that its last retry still lands in time: waiting longer
    /// would end leadership for certain, which the server's hint does not ask for. A follower has no deadline and
    /// waits up to `leaseDuration` (a takeover cannot come sooner than that anyway, unless the Lease is released).
    public func retryDelay(retryAfter: Double?, now: Date) -> Double {
        let period = configuration.retryPeriod
        guard let retryAfter, retryAfter > period else { return period }
        guard role == .leader, let lastRenewal else { return min(retryAfter, configuration.leaseDuration) }
        let beforeDeadline = lastRenewal.addingTimeInterval(configuration.renewDeadline).timeIntervalSince(now) - period
        return max(period, min(retryAfter, beforeDeadline))
    }

    /// Graceful shutdown: a leader releases the Lease; anyone else just stops.
    public mutating func shutdown(now: Date) -> Action {
        let wasLeader = role == .leader
        role = .stopped
        guard wasLeader, var released = lease, released.metadata.resourceVersion != nil,
            released.spec.holderIdentity == configuration.identity
        else { return .stop }
        released.spec.holderIdentity = ""
        released.metadata.annotations?[Self.endpointAnnotation] = nil
        released.spec.leaseDurationSeconds = 1
        released.spec.acquireTime = now
        released.spec.renewTime = now
        return .release(released)
    }

    /// The current leader's endpoint for forwarded load, as its Lease says: nil when this
    /// candidate leads, when nobody holds an unexpired Lease, or when the holder wrote none.
    public func leaderEndpoint(now: Date) -> String? {
        guard role != .leader, let lease, let holder = lease.spec.holderIdentity, !holder.isEmpty,
              holder != configuration.identity, !isExpired(lease, now: now) else { return nil }
        return lease.metadata.annotations?[Self.endpointAnnotation]
    }

    /// Who holds the Lease as this candidate sees it now: itself while leading, else the holder of an
    /// unexpired record; nil when the Lease is free, expired or unknown.
    public func liveHolder(now: Date) -> String? {
        if role == .leader { return configuration.identity }
        guard let lease, let holder = lease.spec.holderIdentity, !holder.isEmpty, !isExpired(lease, now: now) else { return nil }
        return holder
    }

    // MARK: Helpers

    private mutating func stepDown() -> Action {
        role = .follower
        lastRenewal = nil
        return .lostLeadership
    }

    private mutating func checkRenewDeadline(now: Date) -> Action {
        guard role == .leader else { return .none }
        if let lastRenewal, now.timeIntervalSince(lastRenewal) > configuration.renewDeadline {
            return stepDown()
        }
        return .none
    }

    private func isExpired(_ lease: Lease, now: Date) -> Bool {
        guard let observedAt else { return false }
        let duration = Double(lease.spec.leaseDurationSeconds ?? Int(configuration.leaseDuration.rounded(.up)))
        return now.timeIntervalSince(observedAt) >= duration
    }

    /// The record this candidate writes: itself as holder, renewed now; a takeover also sets acquireTime and
    /// counts a transition.
    private func record(from base: Lease, now: Date, acquiring: Bool) -> Lease {
        var lease = base
        let previousHolder = base.spec.holderIdentity ?? ""
        lease.spec.holderIdentity = configuration.identity
        // The endpoint belongs to the holder: replace (or drop) whatever the previous holder wrote.
        if let endpoint = configuration.endpoint {
            lease.metadata.annotations = (lease.metadata.annotations ?? [:]).merging([Self.endpointAnnotation: endpoint]) { _, new in new }
        } else {
            lease.metadata.annotations?[Self.endpointAnnotation] = nil
        }
        lease.spec.leaseDurationSeconds = max(1, Int(configuration.leaseDuration.rounded(.up)))
        lease.spec.renewTime = now
        if acquiring || lease.spec.acquireTime == nil || previousHolder != configuration.identity {
            lease.spec.acquireTime = now
            if !previousHolder.isEmpty, previousHolder != configuration.identity {
                lease.spec.leaseTransitions = (lease.spec.leaseTransitions ?? 0) + 1
            } else if lease.spec.leaseTransitions == nil {
                lease.spec.leaseTransitions = 0
            }
        }
        return lease
    }

    private static func sameRecord(_ a: Lease, _ b: Lease) -> Bool {
        a.spec.holderIdentity == b.spec.holderIdentity && a.spec.renewTime == b.spec.renewTime
            && a.spec.leaseTransitions == b.spec.leaseTransitions && a.metadata.resourceVersion == b.metadata.resourceVersion
    }
}
