import Foundation

/// A `coordination.k8s.io/v1` Lease, used for leader election.
public struct Lease: Codable, Sendable, Equatable {
    /// Always `coordination.k8s.io/v1`.
    public var apiVersion: String
    /// Always `Lease`.
    public var kind: String
    /// Name, namespace and the resourceVersion that guards updates.
    public var metadata: ObjectMeta
    /// Holder and timing.
    public var spec: LeaseSpec

    /// Creates a Lease.
    public init(metadata: ObjectMeta, spec: LeaseSpec) {
        self.apiVersion = "coordination.k8s.io/v1"
        self.kind = "Lease"
        self.metadata = metadata
        self.spec = spec
    }

    enum CodingKeys: String, CodingKey { case apiVersion, kind, metadata, spec }

    /// Decodes leniently: missing `apiVersion`/`kind`/`spec` get their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? "coordination.k8s.io/v1"
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? "Lease"
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(LeaseSpec.self, forKey: .spec) ?? LeaseSpec()
    }
}

/// `Lease.spec`. Times are encoded as `MicroTime` (six fractional digits), as the API server requires.
public struct LeaseSpec: Codable, Sendable, Equatable {
    /// Identity of the current holder; nil or empty means the lease is free.
    public var holderIdentity: String?
    /// How long (seconds) a holder's claim lasts after `renewTime`; must be > 0.
    public var leaseDurationSeconds: Int?
    /// When the current holder acquired the lease.
    public var acquireTime: Date?
    /// When the current holder last renewed the lease.
    public var renewTime: Date?
    /// How many times the lease changed hands.
    public var leaseTransitions: Int?

    /// Creates a spec.
    public init(
        holderIdentity: String? = nil, leaseDurationSeconds: Int? = nil, acquireTime: Date? = nil,
        renewTime: Date? = nil, leaseTransitions: Int? = nil
    ) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    enum CodingKeys: String, CodingKey {
        case holderIdentity, leaseDurationSeconds, acquireTime, renewTime, leaseTransitions
    }

    /// Decodes, parsing the times as RFC 3339; an unparsable time is treated as absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        holderIdentity = try container.decodeIfPresent(String.self, forKey: .holderIdentity)
        leaseDurationSeconds = try container.decodeIfPresent(Int.self, forKey: .leaseDurationSeconds)
        acquireTime = try container.decodeIfPresent(String.self, forKey: .acquireTime).flatMap(KubernetesTime.parse)
        renewTime = try container.decodeIfPresent(String.self, forKey: .renewTime).flatMap(KubernetesTime.parse)
        leaseTransitions = try container.decodeIfPresent(Int.self, forKey: .leaseTransitions)
    }

    /// Encodes, writing the times as `MicroTime`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(holderIdentity, forKey: .holderIdentity)
        try container.encodeIfPresent(leaseDurationSeconds, forKey: .leaseDurationSeconds)
        try container.encodeIfPresent(acquireTime.map(KubernetesTime.formatMicroTime), forKey: .acquireTime)
        try container.encodeIfPresent(renewTime.map(KubernetesTime.formatMicroTime), forKey: .renewTime)
        try container.encodeIfPresent(leaseTransitions, forKey: .leaseTransitions)
    }
}
