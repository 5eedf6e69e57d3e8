import Foundation

/// The replicas taking part in sharding, as one Lease's annotation lists them: each replica writes its own
/// entry (its identity and the time it last wrote it) every retry period, and a replica whose entry has not
/// changed for a lease duration, as measured on the reader's clock since it first saw that entry, is gone.
/// Measuring on the reader's clock, as leader election does, makes clock skew between replicas harmless.
///
/// The count sets each replica's fair share of the shards; it never decides who may patch (the shard
/// Leases do), so a stale count only delays the balance.
public struct ShardRoster: Sendable {
    /// The annotation on the members Lease: a JSON object from identity to the time the member last wrote.
    public static let annotation = "inferscale.dev/shard-members"

    /// Seconds an entry lasts without a change.
    public let leaseDuration: Double
    /// This replica's identity: always a member while it runs.
    public let identity: String
    private var seen: [String: (value: String, since: Date)] = [:]

    /// Creates a roster holding only `identity`.
    public init(identity: String, leaseDuration: Double) {
        self.identity = identity
        self.leaseDuration = leaseDuration
    }

    /// Reads the entries of the members Lease (nil or unreadable: none).
    public mutating func observe(_ lease: Lease?, now: Date) {
        let entries = Self.entries(of: lease)
        for (member, value) in entries where seen[member]?.value != value {
            seen[member] = (value, now)
        }
        for member in seen.keys where entries[member] == nil { seen[member] = nil }
    }

    /// The members whose entry changed within the lease duration, and this replica.
    public func live(now: Date) -> Set<String> {
        var members: Set<String> = [identity]
        for (member, entry) in seen where now.timeIntervalSince(entry.since) < leaseDuration { members.insert(member) }
        return members
    }

    /// The members Lease to write: this replica's entry renewed at `now` (or removed when `leaving`), and the
    /// entries of members gone for a lease duration dropped.
    public func renewed(_ lease: Lease, now: Date, leaving: Bool = false) -> Lease {
        var entries = Self.entries(of: lease).filter { member, _ in
            guard let entry = seen[member] else { return true }
            return now.timeIntervalSince(entry.since) < leaseDuration
        }
        entries[identity] = leaving ? nil : KubernetesTime.formatMicroTime(now)
        var written = lease
        let body = (try? JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])) ?? Data("{}".utf8)
        written.metadata.annotations = (lease.metadata.annotations ?? [:]).merging([Self.annotation: String(decoding: body, as: UTF8.self)]) { _, new in new }
        return written
    }

    static func entries(of lease: Lease?) -> [String: String] {
        guard let text = lease?.metadata.annotations?[annotation],
              let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}
