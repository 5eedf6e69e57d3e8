import PodTestKit
import Testing
import Exposition

/// Damaged bodies (flipped bytes, truncation, spliced lines) must give a result or an error, never a
/// crash, and an error must point inside the body.
@Suite struct MutationTests {
    /// A small deterministic generator, so a failure can be replayed.
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    static let interesting: [UInt8] = Array("{}\"\\=, \n#\t+-.eE0123456789InfNaN_:".utf8) + [0x00, 0xC3, 0xFF]

    @Test(arguments: Fixtures.metricNames)
    func damagedFixturesNeverCrash(_ name: String) throws {
        let original = try Fixtures.metrics(name)
        var random = SplitMix(state: UInt64(name.utf8.count) &* 7919)
        var parsers = ExpositionFormat.allCases.map { ExpositionParser(format: $0) }
        var rejected = 0
        for round in 0..<60 {
            var body = original
            for _ in 0..<(1 + random.below(3)) {
                switch random.below(4) {
                case 0: body[random.below(body.count)] = Self.interesting[random.below(Self.interesting.count)]
                case 1: body.insert(Self.interesting[random.below(Self.interesting.count)], at: random.below(body.count))
                case 2: body.removeSubrange(random.below(body.count)..<body.count)
                default: if body.count > 2 { body.remove(at: random.below(body.count)) }
                }
                if body.isEmpty { body = [0x0A] }
            }
            let lines = body.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            for index in parsers.indices {
                do {
                    _ = try parsers[index].parse(body)
                } catch {
                    rejected += 1
                    #expect(error.line >= 1 && error.line <= lines + 1, "round \(round): \(error)")
                    #expect(error.column >= 1)
                    #expect(!error.message.isEmpty)
                }
            }
        }
        // Text fixtures are never valid OpenMetrics, so at least those 60 must be refused.
        #expect(rejected >= 60)
    }
}
