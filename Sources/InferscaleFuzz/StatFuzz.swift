import Exposition

/// Whatever decodes must encode and decode back to the same values.
enum StatFuzz {
    static func run(_ bytes: [UInt8]) {
        if let stat = try? QueueProxyStat(protobuf: bytes) {
            let again = try? QueueProxyStat(protobuf: stat.protobufBytes())
            precondition(again == stat, "a decoded Stat does not survive a round trip: \(stat) became \(String(describing: again))")
        }
        if let batch = try? QueueProxyStat.decodeBatch(protobuf: bytes) {
            let again = try? QueueProxyStat.decodeBatch(protobuf: QueueProxyStat.protobufBytes(batch: batch))
            precondition(again == batch, "a decoded WireStatMessages batch of \(batch.count) does not survive a round trip")
        }
    }
}
