import AutoscalerCore
import Kubernetes

/// The targets of the shards this replica holds, out of everything `base` discovers: the loop scrapes and
/// decides only those. A target whose shard is won appears at the next scrape round with fresh windows (its
/// startup panic holds the count, as after a restart); one whose shard is lost leaves the loop.
public struct ShardedDiscovery: TargetDiscovery {
    let base: any TargetDiscovery
    let shards: ShardElector

    /// Filters `base` by the shards `shards` holds.
    public init(_ base: any TargetDiscovery, shards: ShardElector) {
        self.base = base
        self.shards = shards
    }

    /// The targets `base` discovers whose shard this replica holds now.
    public func targets() async throws -> [DiscoveredTarget] {
        try await base.targets().filter { shards.holds(target: $0.key) }
    }
}
