import AutoscalerCore
import Logging
import Scaling
import ServiceLifecycle

/// Drives a `ControlLoop` in real time: a scrape tick every second and a decide tick every
/// two seconds. On graceful shutdown the tick in progress finishes, then `run()` returns.
public struct ControlLoopService: Service {
    private let loop: ControlLoop
    private let now: @Sendable () -> Timestamp
    private let scrapeInterval: Duration
    private let logger: Logger

    public init(loop: ControlLoop, now: @escaping @Sendable () -> Timestamp, scrapeInterval: Duration = .seconds(1),
                logger: Logger = Logger(label: "inferscale.loop")) {
        self.loop = loop
        self.now = now
        self.scrapeInterval = scrapeInterval
        self.logger = logger
    }

    public func run() async throws {
        var tick = 0
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let time = now()
            await loop.scrape(at: time)
            // Decide on even seconds, as Knative's 2 s decider tick.
            if tick % 2 == 0 { await loop.decide(at: time) }
            tick += 1
            next = next.advanced(by: scrapeInterval)
            if next < clock.now { next = clock.now }  // fell behind: do not try to catch up
            do {
                try await Task.sleep(until: next, clock: clock)
            } catch {
                break
            }
            if Task.isShuttingDownGracefully { break }
        }
        logger.info("control loop stopped")
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
