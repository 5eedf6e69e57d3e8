/// Runs one Lease request, failing it with `.timeout` after `limit` seconds: a request that hangs must not hold
/// up the renewals that keep a holder's claim (leader election, shards).
func withLeaseDeadline<T: Sendable>(_ limit: Double, namespace: String, name: String,
                                    _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(limit * 1000)))
            throw KubernetesError(code: .timeout, method: "lease", url: "\(namespace)/\(name)",
                                  message: "no answer within \(limit) s (half the renew deadline)")
        }
        defer { group.cancelAll() }
        guard let result = try await group.next() else {
            throw KubernetesError(code: .timeout, method: "lease", url: "\(namespace)/\(name)", message: "no result")
        }
        return result
    }
}
