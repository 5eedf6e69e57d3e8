import ClusterAdapters

/// What the push body decoder returns is bounded and clean: finite, non-negative values,
/// `namespace/name` targets, at most `PushBody.maxLoads` reports. The first byte picks JSON or
/// protobuf.
enum PushFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let contentType = first & 1 == 0 ? "application/json" : "application/protobuf"
        guard let loads = try? PushBody.decode(Array(bytes.dropFirst()), contentType: contentType) else { return }
        precondition(loads.count <= PushBody.maxLoads, "\(loads.count) reports passed the limit")
        for load in loads {
            precondition(load.concurrency.isFinite && load.concurrency >= 0, "concurrency \(load.concurrency) passed")
            precondition((load.rps ?? 0).isFinite && (load.rps ?? 0) >= 0, "rps \(String(describing: load.rps)) passed")
            precondition(load.target.split(separator: "/", omittingEmptySubsequences: false).count == 2, "target \(load.target) passed")
        }
    }
}
