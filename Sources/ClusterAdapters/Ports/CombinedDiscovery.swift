import AutoscalerCore

/// Several discoveries as one (KServe and rule-named Deployments beside Knative revisions): their targets
/// together. A key two of them report is kept from the first, so one writer decides it.
public struct CombinedDiscovery: TargetDiscovery {
    private let parts: [any TargetDiscovery]

    /// Combines `parts`, earlier ones first.
    public init(_ parts: [any TargetDiscovery]) { self.parts = parts }

    public func targets() async throws -> [DiscoveredTarget] {
        var seen: Set<String> = []
        var result: [DiscoveredTarget] = []
        for part in parts {
            for target in try await part.targets() where seen.insert(target.key).inserted { result.append(target) }
        }
        return result
    }
}
