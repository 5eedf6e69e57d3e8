import RemoteWrite
import Testing

@Suite struct SnappyTests {
    @Test(arguments: [0, 1, 100, 65_536, 1_000_003])
    func roundTripOfRandomAndRepetitiveBytes(size: Int) throws {
        var generator = SplitMix64(seed: UInt64(size))
        let random = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let repetitive = (0..<size).map { UInt8(truncatingIfNeeded: $0 % 7) }
        for input in [random, repetitive] {
            var compressed: [UInt8] = []
            Snappy.compress(input, into: &compressed)
            #expect(try Snappy.decompress(compressed) == input)
            if size >= 1_000 && input == repetitive { #expect(compressed.count < input.count / 4) }
        }
    }

    @Test func reusedOutputBufferIsReplacedNotAppended() throws {
        var out: [UInt8] = Array(repeating: 0xAB, count: 10_000)
        Snappy.compress(Array("hello hello hello".utf8), into: &out)
        #expect(try Snappy.decompress(out) == Array("hello hello hello".utf8))
    }

    @Test func corruptInputIsAClearError() {
        #expect(throws: SnappyError.self) { try Snappy.decompress([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2]) }
        var compressed: [UInt8] = []
        Snappy.compress(Array(repeating: 7, count: 1_000), into: &compressed)
        let truncated = Array(compressed.prefix(compressed.count - 2))
        #expect(throws: SnappyError.self) { try Snappy.decompress(truncated) }
        #expect(throws: SnappyError.self) { try Snappy.decompress(compressed, maxLength: 10) }
    }
}

/// A tiny deterministic generator for test data.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
