import Foundation
import Logging
import Testing
@testable import AutoscalerCore
import LoopTestKit
import Rules
import Scaling

/// Runs `body`, failing if it takes longer than `seconds`: every wait in these tests is bounded. The clock is
/// manual, so the bound only catches a hang; it is generous because a loaded CI machine can starve the pool.
private func within<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            throw TimedOut(what: what)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

private struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

private func t(_ s: Int64) -> Timestamp { Timestamp(seconds: s) }

/// The loop scrapes targets concurrently and never lets one target's scrape hold up another's
/// sample or decision; time is a manual clock (the loop's timestamps), and a held scrape stands
/// for pods that answer only at their deadline.
@Suite struct ConcurrentScrapeTests {
    private func loop(_ discovery: MemoryDiscovery, _ source: HoldingSource, _ actuator: RecordingActuator,
                      logger: Logger? = nil) throws -> ControlLoop {
        ControlLoop(configuration: .init(), rules: .empty, discovery: discovery, source: source, actuator: actuator,
                    log: try DecisionLog(path: nil), logger: logger ?? Logger(label: "test"))
    }

    /// One round per second, each target's scrape awaited unless it is held; a decision every even second.
    private func run(_ l: ControlLoop, _ keys: [String], from: Int64, to: Int64) async throws {
        for s in from...to {
            await l.startScrapes(at: t(s))
            for key in keys { try await within(30, "scrape of \(key) at \(s)s") { await l.waitForScrape(of: key) } }
            if s % 2 == 0 { await l.decide(at: t(s)) }
        }
    }

    @Test func aTargetHangingToTheDeadlineDoesNotDelayAnotherTargetsDecision() async throws {
        let discovery = MemoryDiscovery([target("slow", ready: 1), target("fast", ready: 1)])
        let source = HoldingSource()
        let actuator = RecordingActuator(discovery: discovery)
        let l = try loop(discovery, source, actuator)
        await source.set("llm/slow", SignalSample([.concurrency: 10]))
        await source.set("llm/fast", SignalSample([.concurrency: 10]))
        try await run(l, ["llm/slow", "llm/fast"], from: 0, to: 20)
        #expect(await actuator.calls.isEmpty)

        await source.hold("llm/slow")
        await source.set("llm/fast", SignalSample([.concurrency: 700]))
        let first = await l.startScrapes(at: t(21))
        #expect(first.started == ["llm/fast", "llm/slow"])
        try await within(30, "fast scrape at 21s") { await l.waitForScrape(of: "llm/fast") }
        let second = await l.startScrapes(at: t(22))
        #expect(second.started == ["llm/fast"])
        #expect(second.skipped == ["llm/slow"])
        try await within(30, "fast scrape at 22s") { await l.waitForScrape(of: "llm/fast") }
        await l.decide(at: t(22))
        // The fast target scaled on the first decide tick after its step, with the slow scrape still hanging.
        let calls = await actuator.calls
        #expect(calls.map(\.target) == ["llm/fast"])
        #expect((calls.first?.replicas ?? 0) > 1)
        #expect(await source.inFlight("llm/slow") == 1)

        await source.release("llm/slow")
        try await within(30, "released slow scrape") { await l.waitForScrapes() }
        #expect(await source.inFlight("llm/slow") == 0)
    }

    @Test func roundsNeverOverlapForOneTarget() async throws {
        let discovery = MemoryDiscovery([target("slow", ready: 2), target("fast", ready: 1)])
        let source = HoldingSource()
        let l = try loop(discovery, source, RecordingActuator())
        await source.hold("llm/slow")
        var skipped: [String] = []
        for s in Int64(1)...5 {
            let round = await l.startScrapes(at: t(s))
            skipped += round.skipped
            try await within(30, "fast scrape at \(s)s") { await l.waitForScrape(of: "llm/fast") }
        }
        #expect(skipped == Array(repeating: "llm/slow", count: 4))
        #expect(await source.calls["llm/slow"] == 1)
        #expect(await source.calls["llm/fast"] == 5)
        await source.release("llm/slow")
        try await within(30, "released slow scrape") { await l.waitForScrape(of: "llm/slow") }
        let next = await l.startScrapes(at: t(6))
        #expect(next.skipped.isEmpty)
        try await within(30, "scrapes at 6s") { await l.waitForScrapes() }
        #expect(await source.calls["llm/slow"] == 2)
        #expect(await source.mostInFlight["llm/slow"] == 1)
    }

    @Test func aLateSampleIsRecordedAtItsRoundsTimeNotReordered() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 1)])
        let source = HoldingSource()
        let l = try loop(discovery, source, RecordingActuator())
        await source.set("llm/chat", SignalSample([.concurrency: 10]))
        try await run(l, ["llm/chat"], from: 0, to: 9)
        // The round of second 10 sees 100 and answers only after the rounds of 11, 12 and 13 were due.
        await source.set("llm/chat", SignalSample([.concurrency: 100]))
        await source.hold("llm/chat")
        await l.startScrapes(at: t(10))
        // The round's scrapes begin on their own tasks: the held one has read its 100 once it is in flight.
        try await within(30, "held scrape begun") { while await source.inFlight("llm/chat") == 0 { await Task.yield() } }
        for s in Int64(11)...13 { #expect(await l.startScrapes(at: t(s)).skipped == ["llm/chat"]) }
        await source.set("llm/chat", SignalSample([.concurrency: 10]))
        await source.release("llm/chat")
        try await within(30, "late scrape") { await l.waitForScrape(of: "llm/chat") }
        try await run(l, ["llm/chat"], from: 14, to: 16)
        let record = try #require(await l.decisions(for: "llm/chat").last)
        #expect(record.time == 16)
        let input = try #require(record.inputs.first)
        // Panic window 11…16: only 14, 15 and 16 were sampled (the late 100 belongs to second 10).
        // Read at its arrival (13) it would have made this (100 + 3 × 10) / 4 = 32.5.
        #expect(input.panic == 10)
        // Stable window: 0…10 and 14…16 sampled; 11, 12 and 13 are no data, not zero.
        #expect(input.stable == ((10 * 10 + 100 + 3 * 10) / 14.0 * 1e6).rounded(.down) / 1e6)
    }

    @Test func skippedRoundsCannotScaleAHealthyTargetDown() async throws {
        let discovery = MemoryDiscovery([target("chat", ready: 2)])
        let source = HoldingSource()
        let actuator = RecordingActuator(discovery: discovery)
        let l = try loop(discovery, source, actuator)
        await source.set("llm/chat", SignalSample([.concurrency: 130]))  // two pods' worth at 70 per pod
        try await run(l, ["llm/chat"], from: 0, to: 90)
        // Now each scrape hangs for 28 rounds, as behind a round of hostile pods.
        for cycle in Int64(0)..<10 {
            await source.hold("llm/chat")
            let start = 91 + cycle * 29
            for s in start..<(start + 29) {
                await l.startScrapes(at: t(s))
                if s % 2 == 0 { await l.decide(at: t(s)) }
            }
            await source.release("llm/chat")
            try await within(30, "held scrape \(cycle)") { await l.waitForScrape(of: "llm/chat") }
        }
        let calls = await actuator.replicas
        #expect(calls.isEmpty, "scaled with its load unchanged: \(calls)")
        #expect(await l.status().first?.desired == 2)
    }

    @Test func theAnsweredTimeOfARoundLeavesOutTargetsWhosePodsFailed() async throws {
        let discovery = MemoryDiscovery([target("failing", ready: 1), target("fast", ready: 1)])
        let source = HoldingSource()
        let l = try loop(discovery, source, RecordingActuator())
        await source.set("llm/fast", SignalSample([.concurrency: 10]))
        await source.setFailures("llm/failing", ["timeout"])
        await source.hold("llm/failing")
        await l.startScrapes(at: t(1))
        try await within(30, "fast scrape") { await l.waitForScrape(of: "llm/fast") }
        #expect(await l.lastRoundTimes == nil, "the round is not over while a scrape hangs")
        // The failing pod answers (with its failure) at least 0.2 s after the fast target was recorded.
        try await Task.sleep(for: .milliseconds(200))
        await source.release("llm/failing")
        try await within(30, "released failing scrape") { await l.waitForScrapes() }
        let times = try #require(await l.lastRoundTimes)
        let answered = try #require(times.answeredSeconds)
        #expect(times.seconds >= answered + 0.2, "\(times)")

        // A round in which every target failed has no answered time; one in which all answered ends with its last.
        await source.setFailures("llm/fast", ["connect"])
        await l.startScrapes(at: t(2))
        try await within(30, "all failing") { await l.waitForScrapes() }
        #expect(await l.lastRoundTimes?.answeredSeconds == nil)
        await source.setFailures("llm/fast", [])
        await source.setFailures("llm/failing", [])
        await l.startScrapes(at: t(3))
        try await within(30, "all answering") { await l.waitForScrapes() }
        let clean = try #require(await l.lastRoundTimes)
        #expect(clean.answeredSeconds == clean.seconds)
    }

    @Test func failingScrapesAreWarnedAboutOncePerIntervalByTarget() async throws {
        let recorder = LogRecorder()
        let discovery = MemoryDiscovery([target("chat", ready: 2)])
        let source = HoldingSource()
        let l = try loop(discovery, source, RecordingActuator(), logger: recorder.logger)
        await source.set("llm/chat", SignalSample([.concurrency: 10]))
        await source.setFailures("llm/chat", ["timeout"])
        try await run(l, ["llm/chat"], from: 0, to: 130)
        let warnings = recorder.messages.filter { $0.hasPrefix("scrapes failed") }
        // At 0 s, 60 s and 120 s: 131 failing rounds, three lines.
        #expect(warnings.count == 3)
    }

    /// Many late samples that finish together reach the loop in batches (`ScrapeInbox`); each is still recorded at
    /// its own round's time, never at the batch's, and the rounds skipped meanwhile stay no data.
    @Test func lateSamplesFinishingTogetherAreEachRecordedAtTheirRoundsTime() async throws {
        let names = (0..<40).map { "m\($0)" }
        let keys = names.map { "llm/\($0)" }.sorted()
        let discovery = MemoryDiscovery(names.map { target($0, ready: 1) })
        let source = HoldingSource()
        let l = try loop(discovery, source, RecordingActuator())
        for key in keys { await source.set(key, SignalSample([.concurrency: 10])) }
        try await run(l, keys, from: 0, to: 9)
        for key in keys {
            await source.set(key, SignalSample([.concurrency: 100]))
            await source.hold(key)
        }
        #expect(await l.startScrapes(at: t(10)).started == keys)
        try await within(30, "held scrapes begun") {
            for key in keys { while await source.inFlight(key) == 0 { await Task.yield() } }
        }
        for s in Int64(11)...13 { #expect(await l.startScrapes(at: t(s)).skipped == keys) }
        for key in keys { await source.set(key, SignalSample([.concurrency: 10])) }
        for key in keys { await source.release(key) }
        try await within(30, "released scrapes") { await l.waitForScrapes() }
        #expect(await l.lastRoundTimes != nil, "the round of 10 s ended with its last batch")
        try await run(l, keys, from: 14, to: 16)
        for key in keys {
            let record = try #require(await l.decisions(for: key).last)
            #expect(record.time == 16)
            let input = try #require(record.inputs.first)
            // As for one target: the 100 belongs to second 10, and 11…13 are no data.
            #expect(input.panic == 10, "\(key)")
            #expect(input.stable == ((10 * 10 + 100 + 3 * 10) / 14.0 * 1e6).rounded(.down) / 1e6, "\(key)")
        }
    }

    /// Shutdown cancels a round whose results are still coming: those that finish afterwards end the round but are
    /// not recorded, in whatever batch they arrive.
    @Test func cancelledScrapesEndTheirRoundUnrecorded() async throws {
        let names = (0..<10).map { "m\($0)" }
        let keys = names.map { "llm/\($0)" }.sorted()
        let discovery = MemoryDiscovery(names.map { target($0, ready: 1) })
        let source = HoldingSource()
        let l = try loop(discovery, source, RecordingActuator())
        for key in keys { await source.set(key, SignalSample([.concurrency: 10])) }
        try await run(l, keys, from: 0, to: 9)
        for key in keys {
            await source.set(key, SignalSample([.concurrency: 1_000]))
            await source.hold(key)
        }
        await l.startScrapes(at: t(10))
        try await within(30, "held scrapes begun") {
            for key in keys { while await source.inFlight(key) == 0 { await Task.yield() } }
        }
        await l.cancelScrapes()
        for key in keys { await source.release(key) }
        try await within(30, "cancelled scrapes") { await l.waitForScrapes() }
        for key in keys { await source.set(key, SignalSample([.concurrency: 10])) }
        // Not skipped: the cancelled scrapes freed their targets.
        #expect(await l.startScrapes(at: t(11)).started == keys)
        try await within(30, "scrapes at 11 s") { await l.waitForScrapes() }
        for record in await l.decide(at: t(11)) {
            // Second 10 is no data: a recorded 1,000 would have raised both windows far above 10.
            #expect(record.inputs.first?.panic == 10, "\(record.target)")
            #expect(record.inputs.first?.stable == 10, "\(record.target)")
        }
    }
}
