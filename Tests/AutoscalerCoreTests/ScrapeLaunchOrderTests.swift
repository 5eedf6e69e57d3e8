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

    /// The loop keeps its targets' name order as they come and go instead of sorting them every round and tick:
    /// after targets are added and removed, rounds, decide ticks and `/debug/targets` still go through exactly the
    /// current targets, in name order.
    @Test func theOrderFollowsTargetsThatComeAndGo() async throws {
        let discovery = MemoryDiscovery(["m0", "m1", "m2", "m3", "m4"].map { target($0, ready: 1) })
        let loop = ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: MemorySource(),
                               actuator: RecordingActuator(discovery: discovery), log: try DecisionLog(path: nil))
        _ = await loop.scrape(at: Timestamp(seconds: 0))
        await discovery.set(["m3", "a0", "m1", "m9", "m5"].map { target($0, ready: 1) })
        for s in Int64(1)..<4 {
            let round = await loop.scrape(at: Timestamp(seconds: s))
            let expected = ["llm/a0", "llm/m1", "llm/m3", "llm/m5", "llm/m9"]
            #expect(round.started == expected)
            #expect(await loop.decide(at: Timestamp(seconds: s)).map(\.target) == expected)
            #expect(await loop.status().map(\.target) == expected)
        }
        await discovery.set([target("m1", ready: 1)])
        #expect(await loop.scrape(at: Timestamp(seconds: 4)).started == ["llm/m1"])
        #expect(await loop.decide(at: Timestamp(seconds: 4)).map(\.target) == ["llm/m1"])
    }
}
