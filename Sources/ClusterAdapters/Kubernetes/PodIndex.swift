import AutoscalerCore
import Kubernetes
import Scaling

/// One namespace's pods as discovery needs them, indexed by label so that matching a target's selector costs
/// the pods it selects, not every pod in the namespace: a scrape round over T targets among P pods was
/// O(T × P) label lookups and pod copies (at 1,000 targets × 2 pods, a quarter of the process's CPU), and is
/// O(T × pods per target) here. Kept up to date one watch event at a time.
public struct PodIndex: Sendable {
    /// A pod reduced to what a target needs, made once per watch event rather than once per round.
    public struct Entry: Sendable {
        /// The pod as the loop sees it.
        public var info: PodInfo
        /// Its labels.
        public var labels: [String: String]
    }

    private var entries: [String: Entry] = [:]
    /// `key=value` → names of the pods with that label.
    private var postings: [String: Set<String>] = [:]

    /// An empty index.
    public init() {}

    /// The number of pods known.
    public var count: Int { entries.count }

    /// Applies one watch update: a relist replaces everything, other changes touch one pod.
    public mutating func apply(_ update: PodSetUpdate) {
        switch update.change {
        case .relisted:
            self = PodIndex()
            for (name, pod) in update.objects { insert(name, pod) }
        case .added(let pod), .modified(let pod):
            if let name = pod.metadata.name {
                remove(name)
                insert(name, pod)
            }
        case .deleted(let pod):
            if let name = pod.metadata.name { remove(name) }
        }
    }

    /// The pods an equality selector (key, value, equal) selects, by name. A selector without an equality
    /// clause (only `!=`) scans every pod; an empty one selects none (see `KubernetesDiscovery.parse`).
    public func matching(_ selector: [(String, String, Bool)]) -> [Entry] {
        guard !selector.isEmpty else { return [] }
        let candidates: [String]
        let equalities = selector.filter(\.2)
        if equalities.isEmpty {
            candidates = Array(entries.keys)
        } else {
            // The rarest label narrows the most; the others are checked on its few pods.
            let sets = equalities.map { postings[Self.posting($0.0, $0.1)] ?? [] }
            candidates = Array(sets.min { $0.count < $1.count } ?? [])
        }
        return candidates.compactMap { name -> Entry? in
            guard let entry = entries[name], selector.allSatisfy({ (entry.labels[$0.0] == $0.1) == $0.2 }) else { return nil }
            return entry
        }.sorted { $0.info.name < $1.info.name }
    }

    private mutating func insert(_ name: String, _ pod: Pod) {
        let labels = pod.metadata.labels ?? [:]
        let info = PodInfo(name: name, ip: pod.status?.podIP ?? "", ready: pod.isReady && pod.status?.podIP != nil,
                           readySince: pod.readySince.map { Timestamp(nanoseconds: Int64($0.timeIntervalSince1970 * 1e9)) },
                           createdAt: pod.createdAt.map { Timestamp(nanoseconds: Int64($0.timeIntervalSince1970 * 1e9)) })
        entries[name] = Entry(info: info, labels: labels)
        for (key, value) in labels { postings[Self.posting(key, value), default: []].insert(name) }
    }

    private mutating func remove(_ name: String) {
        guard let old = entries.removeValue(forKey: name) else { return }
        for (key, value) in old.labels {
            let posting = Self.posting(key, value)
            postings[posting]?.remove(name)
            if postings[posting]?.isEmpty == true { postings[posting] = nil }
        }
    }

    private static func posting(_ key: String, _ value: String) -> String { key + "=" + value }
}
