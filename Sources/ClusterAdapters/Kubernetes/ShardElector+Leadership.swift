import AutoscalerCore
import Kubernetes

/// A replica leads while it holds a shard, and patches only the targets of the shards it holds.
extension ShardElector: Leadership {
    /// True while this replica holds any shard.
    public var isLeader: Bool { holdsAny }
    /// True while this replica holds the shard of target `key` (`namespace/name`).
    public func leads(_ key: String) -> Bool { holds(target: key) }
}
