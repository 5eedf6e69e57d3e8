import Testing
@testable import AutoscalerCore
import LoopTestKit
import Scaling

/// Each scrape round starts its targets' scrapes at a different place in name order, so when a fleet has more pods
/// than the scraper completes within a deadline, the targets whose scrapes start last (and fail waiting for a slot)
/// change from round to round; the round still reports its targets in name order.
@Suite struct ScrapeLaunchOrderTests {
    @Test(arguments: [0, 1, 2, 7, 3_000, 10_000])
    func theOffsetIsAlwaysAPlaceInTheOrder(count: Int) {
        for round in 0..<1_000 {
            let offset = ControlLoop.launchOffset(round: round, count: count)
            #expect(offset >= 0 && offset < max(count, 1))
        }
    }

    /// A round that completes only the first third of its scrapes (the rest fail in the queue) still reaches every
    /// target within ten rounds; in a fixed order two thirds would never be sampled.
    @Test func everyTargetIsAmongTheFirstThirdWithinTenRounds() {
        let count = 3_000
        var reached = Set<Int>()
        for round in 1...10 {
            let offset = ControlLoop.launchOffset(round: round, count: count)
            for position in 0..<count / 3 { reached.insert((offset + position) % count) }
        }
        #expect(reached.count == count, "\(count - reached.count) targets never among the first third")
    }

    @Test func aRoundReportsItsTargetsInNameOrder() async throws {
        let names = (0..<7).map { "m\($0)" }
        let discovery = MemoryDiscovery(names.map { target($0, ready: 1) })
        let source = HoldingSource()
        let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: source,
                               actuator: RecordingActuator(discovery: discovery), log: try DecisionLog(path: nil))
        var offsets = Set<Int>()
        for s in Int64(0)..<6 {
            let round = await loop.scrape(at: Timestamp(seconds: s))
            #expect(round.started == names.map { "llm/\($0)" })
            offsets.insert(ControlLoop.launchOffset(round: Int(s), count: names.count))
        }
        #expect(offsets.count > 1, "every round started at the same place")
    }
}
