import AsyncHTTPClient
import Foundation
import PodTestKit
import Testing
@testable import Scraping

/// `ScraperConfiguration.slotWaitSeconds`: a scrape may wait for a slot for its own budget, and its deadline counts from
/// when it gets one. Counts and reasons are asserted, not timings: the wall bounds are loose, since a parallel run on
/// 2 cores stalls tasks for seconds.
@Suite(.serialized) struct ScrapeSlotWaitTests {
    private func withServer(_ body: (CannedMetricsServer, Int, HTTPClient) async throws -> Void) async throws {
        try await withCannedServer(body)
    }

    private let body = Array("""
        # TYPE vllm:num_requests_waiting gauge
        vllm:num_requests_waiting{model_name="m"} 1
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{model_name="m"} 2

        """.utf8)

    private func configuration(deadline: Double, slotWait: Double?) -> ScraperConfiguration {
        var config = ScraperConfiguration()
        config.maxInFlight = 1
        config.deadlineSeconds = deadline
        config.slotWaitSeconds = slotWait
        config.sampling = .all
        return config
    }

    private func pods(_ count: Int) -> [ScrapeTarget.Pod] {
        (0..<count).map { ScrapeTarget.Pod(name: "p\($0)", ip: "127.0.0.1") }
    }

    @Test func podsQueuedPastOneDeadlineAllAnswerWithinTheSlotWait() async throws {
        // Five pods answering after 0.5 s through one slot need about 2.5 s in turn: more than the 1 s deadline, so
        // counted from the ask (slotWaitSeconds nil) most end as queue-timeout; with a 10 s slot wait, each has its
        // second from when it gets the slot, and all answer.
        try await withServer { server, port, client in
            server.set("/half", .init(body: body, delay: 0.5))
            let target = ScrapeTarget(key: "ns/half", pods: pods(5), runtime: .vllm, port: port, path: "/half", queueProxy: false)
            let waiting = Scraper(configuration: configuration(deadline: 1, slotWait: 10), client: client)
            let began = ContinuousClock.now
            let reading = await waiting.scrape(target, at: 1)
            let took = ContinuousClock.now - began
            #expect(reading.failures.isEmpty, "\(reading.failures)")
            #expect(reading.podsScraped == 5)
            #expect(reading.queueDepth == 5)
            #expect(server.maxInFlight <= 1, "the in-flight bound is kept")
            #expect(took < .seconds(30), "the round took \(took)")

            // The same round without a slot wait of its own: the queue counts against the deadline.
            let counted = Scraper(configuration: configuration(deadline: 1, slotWait: nil), client: client)
            let before = await counted.scrape(target, at: 1)
            #expect(before.failures.contains { $0.reason == "queue-timeout" }, "\(before.failures)")
        }
    }

    @Test func hangingPodsStillEndAsQueueTimeoutWhenTheWaitRunsOut() async throws {
        // One slot held by a hanging pod for its 2 s deadline; the other four may wait 1 s for it, so they give up
        // in the queue before it is free, whatever the machine's load (a late release hands nothing to expired waiters).
        try await withServer { server, port, client in
            server.set("/hang", .init(body: body, delay: 30))
            let scraper = Scraper(configuration: configuration(deadline: 2, slotWait: 1), client: client)
            let target = ScrapeTarget(key: "ns/hang", pods: pods(5), runtime: .vllm, port: port, path: "/hang", queueProxy: false)
            let began = ContinuousClock.now
            let reading = await scraper.scrape(target, at: 1)
            let took = ContinuousClock.now - began
            #expect(reading.failures.count == 5, "every pod failed: \(reading.failures)")
            #expect(reading.failures.filter { $0.reason == "queue-timeout" }.count == 4, "\(reading.failures)")
            #expect(reading.failures.filter { $0.reason == "timeout" }.count == 1, "\(reading.failures)")
            #expect(reading.failures.first { $0.reason == "queue-timeout" }?.detail.contains("1.0 s slot wait") == true,
                    "\(reading.failures)")
            #expect(took < .seconds(25), "the round took \(took); nothing may wait past wait + deadline by much")
        }
    }

    @Test func aScrapeThatGotItsSlotLateStillGetsItsWholeDeadline() async throws {
        // A hanging pod holds the only slot for its 3 s deadline. A second pod, asked for just after, answers 1 s after
        // its request reaches it: it gets the slot at about 3 s and answers at about 4 s, past 3 s from its ask but
        // within 3 s of getting the slot.
        try await withServer { server, port, client in
            server.set("/hang", .init(body: body, delay: 30))
            server.set("/late", .init(body: body, delay: 1))
            let scraper = Scraper(configuration: configuration(deadline: 3, slotWait: 20), client: client)
            let hanging = Task { try await scraper.get("http://127.0.0.1:\(port)/hang", accept: "text/plain") }
            // Wait (bounded) until the hanging pod's request reached the server, so it holds the slot.
            let waitStart = ContinuousClock.now
            while server.requests("/hang") == 0 && ContinuousClock.now - waitStart < .seconds(20) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.requests("/hang") == 1)
            let asked = ContinuousClock.now
            let answer = try await scraper.get("http://127.0.0.1:\(port)/late", accept: "text/plain")
            let took = ContinuousClock.now - asked
            #expect(answer.0 == body)
            #expect(took > .seconds(1), "\(took)")
            #expect(took < .seconds(40), "it took \(took)")
            // (The server's own in-flight count is no check here: it keeps the cut-off request until its 30 s delay.)
            await #expect(throws: ScrapeFailure.self) { try await hanging.value }
        }
    }

    @Test func aCancelledScrapeStopsWaitingForItsSlot() async throws {
        // At shutdown the loop cancels its scrapes: one queued behind a pod that holds the only slot for 20 s must not
        // wait for it (nor for its 30 s slot wait), but end within seconds.
        try await withServer { server, port, client in
            server.set("/hang", .init(body: body, delay: 60))
            let scraper = Scraper(configuration: configuration(deadline: 20, slotWait: 30), client: client)
            let hanging = Task { try await scraper.get("http://127.0.0.1:\(port)/hang", accept: "text/plain") }
            let waitStart = ContinuousClock.now
            while server.requests("/hang") == 0 && ContinuousClock.now - waitStart < .seconds(20) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(server.requests("/hang") == 1)
            let queued = Task { try await scraper.get("http://127.0.0.1:\(port)/hang", accept: "text/plain") }
            try await Task.sleep(for: .milliseconds(200))
            let cancelled = ContinuousClock.now
            queued.cancel()
            await #expect(throws: ScrapeFailure.self) { try await queued.value }
            let took = ContinuousClock.now - cancelled
            #expect(took < .seconds(12), "the cancelled scrape ended after \(took), not at once")
            #expect(server.requests("/hang") == 1, "the cancelled scrape never reached the pod")
            hanging.cancel()
            await #expect(throws: ScrapeFailure.self) { try await hanging.value }
        }
    }
}
