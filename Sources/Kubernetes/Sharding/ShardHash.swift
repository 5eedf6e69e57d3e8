/// Which of N shards a target belongs to: FNV-1a (64-bit) of its `namespace/name` key, modulo N.
///
/// Every replica must compute the same bucket for a target, in every process and every release, so the
/// standard library's `Hasher` (seeded per process) cannot be used.
public enum ShardHash {
    /// The bucket, in `0..<shards`, of the target `key` (`namespace/name`); 0 when `shards` is 1 or less.
    public static func bucket(of key: String, shards: Int) -> Int {
        guard shards > 1 else { return 0 }
        return Int(fnv1a(key) % UInt64(shards))
    }

    /// FNV-1a over the UTF-8 bytes of `text`.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
