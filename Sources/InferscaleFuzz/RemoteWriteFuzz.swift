import RemoteWriteTestKit

/// The test kit's decoders read what the receiver gets from the network; they must refuse
/// garbage with an error rather than trap.
enum RemoteWriteFuzz {
    static func run(_ bytes: [UInt8]) {
        _ = try? RemoteWriteDecoder.decodeV1(bytes)
        _ = try? RemoteWriteDecoder.decodeV2(bytes)
    }
}
