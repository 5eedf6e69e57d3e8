import AutoscalerCore
import Kubernetes

/// A replica leads while it holds a shard, and patches only the targets of the shards it holds.
extension ShardElector: Leadership {
    public var isLeader: Bool { holdsAny }
    public func leads(_ key: String) -> Bool { holds(target: key) }
}
