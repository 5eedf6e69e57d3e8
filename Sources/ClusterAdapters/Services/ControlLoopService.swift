import AutoscalerCore
import Logging
import Scaling
import ServiceLifecycle

/// Drives a `ControlLoop` in real time: a scrape round every `scrapeInterval` (1 s by
/// default) and a decide tick every `decideInterval` (2 s, Knative's tick). A round only
/// starts the scrapes; the decide tick runs on its schedule with whatever samples have
/// arrived. A tick that cannot start on time (the pass before it ran past it) is not caught
/// up but counted as an overrun. On graceful shutdown the wait is cut short, the scrapes in
/// flight are cancelled, and `run()` returns.
public struct ControlLoopService: Service {
    private let loop: ControlLoop
    private let now: @Sendable () -> Timestamp
    private let scrapeInterval: Duration
    private let decideInterval: Duration
    private let logger: Logger

    public init(loop: ControlLoop, now: @escaping @Sendable () -> Timestamp, scrapeInterval: Duration = .seconds(1),
                decideInterval: Duration = .seconds(2), logger: Logger = Logger(label: "inferscale.loop")) {
        self.loop = loop
        self.now = now
        self.scrapeInterval = scrapeInterval
        self.decideInterval = decideInterval
        self.logger = logger
    }

    public func run() async throws {
        let clock = ContinuousClock()
        var nextScrape = clock.now
        var nextDecide = clock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let due = clock.now
            if nextScrape <= due {
                await loop.startScrapes(at: now())
                nextScrape = await Self.advance(nextScrape, by: scrapeInterval, after: clock.now, overruns: loop)
            }
            if nextDecide <= clock.now {
                await loop.decide(at: now())
                nextDecide = await Self.advance(nextDecide, by: decideInterval, after: clock.now, overruns: loop)
            }
            do {
                // Graceful shutdown ends the wait at once rather than at the next tick.
                let wake = min(nextScrape, nextDecide)
                try await cancelWhenGracefulShutdown { try await Task.sleep(until: wake, clock: clock) }
            } catch {
                break
            }
        }
        await loop.cancelScrapes()
        logger.info("control loop stopped")
    }

    /// The next tick after `tick`; ticks already past are skipped and counted, not caught up.
    private static func advance(_ tick: ContinuousClock.Instant, by interval: Duration, after now: ContinuousClock.Instant,
                                overruns loop: ControlLoop) async -> ContinuousClock.Instant {
        var next = tick.advanced(by: interval)
        var missed = 0
        while next <= now {
            next = next.advanced(by: interval)
            missed += 1
        }
        if missed > 0 { await loop.recordTickOverruns(missed) }
        return next
    }
}

/// Wall-clock time as a `Timestamp`.
public func wallClockNow() -> Timestamp {
    let d = Duration.nanosecondsSinceEpoch
    return Timestamp(nanoseconds: d)
}

extension Duration {
    static var nanosecondsSinceEpoch: Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#endif
