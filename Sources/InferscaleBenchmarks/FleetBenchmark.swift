import AsyncHTTPClient
import AutoscalerCore
import ClusterAdapters
import CoreMetrics
import Foundation
import Kubernetes
import KubernetesTestKit
import NIOConcurrencyHelpers
import Rules
import Scaling
import Scraping
#if canImport(Glibc)
import Glibc
#endif

/// The fleet: N targets (KServe InferenceServices) × 2 pods, each pod its own address on
/// 127.0.0.0/8 served by a separate process (`--serve-fleet`), the fake API server holding the
/// InferenceServices, Deployments and pods, and the real discovery, `Scraper`, `ControlLoop`,
/// actuator and `ControlLoopService` in real time. Optionally 1 % of the pods are hostile: half
/// answer just under the 3 s deadline, half drip-feed their body until past it; or, with
/// `wholeHostileTargets`, that many whole targets are (both pods; half late, half dripping), as in the
/// issue's 200-target run against a real API server. Prints the scrape-round and decide-tick
/// durations (p50/p99, from the loop's own metrics), how long the healthy targets waited in a
/// round (`FleetRoundClock`), the reaction of healthy targets to a load step (step at the pods →
/// PATCH at the API), CPU seconds per second of this process and of the pod server, RSS, skipped
/// scrapes, overruns, and any scale write of a healthy target's replicas that its load did not
/// call for (they stay at 2 unless stepped).
func runFleetBenchmark(targets n: Int, hostile: Bool, wholeHostileTargets: Int? = nil, scrapeInterval: Double,
                       measureSeconds: Double, steps: Int, metrics: FleetMetrics) async throws -> FleetResult {
    let podCount = 2 * n
    let pods = try FleetPodServers(pods: podCount)
    defer { pods.stop() }
    let port = pods.port
    // Load 10 running per pod, 20 per target at 10 per pod: two replicas wanted, steadily.
    pods.send("run", 0..<podCount, 10)
    let hostileTargets = FleetHostility.apply(to: pods, targets: n, hostile: hostile, wholeTargets: wholeHostileTargets)

    let api = try await FakeKubernetesAPIServer.start()
    FleetObjects.put(targets: n, into: api)
    var kubeConfiguration = KubernetesClientConfiguration(server: api.baseURL)
    kubeConfiguration.timeouts.request = .seconds(10)
    let client = try KubernetesClient(configuration: kubeConfiguration)
    // The pool `inferscale run` scrapes with (idle connections closed after 3 s).
    let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: PodConnectionPool().httpConfiguration)
    let rules = try RuleFiles.load([RuleFiles.File(path: "fleet.yaml", text: FleetObjects.rules(port: port))])
    let discovery = KubernetesDiscovery(api: client, namespaces: ["fleet"], refreshSeconds: 10)
    let started = ContinuousClock.now
    let scraping = ScrapingMetricSource(scraper: Scraper(configuration: ScraperConfiguration(), client: http)) { (ContinuousClock.now - started).benchSeconds }
    let hostileSet = hostileTargets
    let source = FleetRoundClock(scraping) { target in fleetIndex(target.key).map { hostileSet.contains($0) } ?? false }
    let loop = ControlLoop(configuration: .init(), rules: rules, discovery: discovery, source: source,
                           actuator: KubernetesActuator(api: client, discovery: discovery, instance: "bench"), log: try DecisionLog(path: nil))
    let watching = Task { await discovery.watchPods() }
    let running = Task {
        try await ControlLoopService(loop: loop, now: wallClockNow, scrapeInterval: .milliseconds(Int64(scrapeInterval * 1000))).run()
    }
    defer {
        running.cancel()
        watching.cancel()
    }

    // Warm up: every healthy target known and decided (a whole hostile target may never have a sample to decide
    // on), then a stable window's worth of steady load.
    let warm = ContinuousClock.now
    while await loop.status().filter({ $0.desired >= 0 }).count < n - hostileTargets.count {
        guard ContinuousClock.now - warm < .seconds(120) else { throw FleetError(message: "not every healthy target was decided within 120 s") }
        try await Task.sleep(for: .milliseconds(200))
    }
    try await Task.sleep(for: .seconds(10))

    metrics.reset()
    source.reset()
    let cpu0 = processCPUSeconds(), childCPU0 = pods.cpuSeconds
    let t0 = ContinuousClock.now
    let writesBefore = api.scaleWrites.count
    var reactions: [Double] = []
    let healthy = (0..<n).filter { !hostileTargets.contains($0) }.shuffled()
    for target in healthy.prefix(steps) {
        try await Task.sleep(for: .milliseconds(Int.random(in: 200..<2200)))  // steps fall anywhere in the tick
        let name = "m\(target)-predictor"
        let step = ContinuousClock.now
        pods.send("run", [2 * target, 2 * target + 1], 60)
        let deadline = step + .seconds(20)
        while ContinuousClock.now < deadline {
            if let write = api.scaleWrites.last(where: { $0.name == name && $0.replicas > 2 }), write.at > step {
                reactions.append((write.at - step).benchSeconds)
                break
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
    let rest = measureSeconds - (ContinuousClock.now - t0).benchSeconds
    if rest > 0 { try await Task.sleep(for: .seconds(rest)) }
    let elapsed = (ContinuousClock.now - t0).benchSeconds
    let cpu = (processCPUSeconds() - cpu0) / elapsed
    let childCPU = (pods.cpuSeconds - childCPU0) / elapsed
    let rss = residentMiB()
    let stepped = Set(healthy.prefix(steps).map { "m\($0)-predictor" })
    let unasked = api.scaleWrites.dropFirst(writesBefore).filter { write in
        write.replicas != 2 && !hostileTargets.contains(fleetIndex(write.name) ?? -1) && !stepped.contains(write.name)
    }
    let falseScaleDowns = unasked.filter { $0.replicas < 2 }.count
    let snapshot = metrics.snapshot()
    let healthyRounds = source.healthySeconds()

    running.cancel()
    watching.cancel()
    await loop.cancelScrapes()
    try? await http.shutdown()
    try? await client.shutdown()
    try? await api.shutdown()
    return FleetResult(targets: n, hostile: hostile, interval: scrapeInterval, rounds: snapshot.rounds, ticks: snapshot.ticks,
                       reactions: reactions.sorted(), steps: min(steps, healthy.count), cpu: cpu, childCPU: childCPU, rssMiB: rss,
                       skipped: snapshot.skipped, roundOverruns: snapshot.roundOverruns, tickOverruns: snapshot.tickOverruns,
                       falseScaleDowns: falseScaleDowns, seconds: elapsed, podScrapes: 2 * snapshot.targetScrapes,
                       hostileTargets: hostileTargets.count, healthyRounds: healthyRounds, answeredRounds: snapshot.answered,
                       healthyChanges: Set(unasked.map(\.name)).count, tickGaps: zip(snapshot.tickEnds.dropFirst(), snapshot.tickEnds).map { ($0 - $1).benchSeconds })
}

/// The fleet index of `m12`, `m12-predictor` or `fleet/m12-predictor` (12).
func fleetIndex(_ name: String) -> Int? {
    let last = name.split(separator: "/").last ?? Substring(name)
    guard last.first == "m" else { return nil }
    return Int(last.dropFirst().prefix(while: \.isNumber))
}

/// What one fleet run measured.
struct FleetResult {
    var targets: Int, hostile: Bool, interval: Double
    var rounds: [Double], ticks: [Double], reactions: [Double], steps: Int
    var cpu: Double, childCPU: Double, rssMiB: Double
    var skipped: Int, roundOverruns: Int, tickOverruns: Int, falseScaleDowns: Int, seconds: Double
    /// Pod scrapes that ended in the measured time (2 pods per target scrape: Knative's sampling takes both).
    var podScrapes: Int
    /// Targets with a hostile pod; seconds from each round's start to its last healthy target's sample
    /// (`FleetRoundClock`), and to its last target whose pods all answered (the loop's own histogram).
    var hostileTargets: Int, healthyRounds: [Double], answeredRounds: [Double]
    /// Healthy targets that were not stepped yet had their replicas set away from 2; seconds between decide ticks.
    var healthyChanges: Int, tickGaps: [Double]

    func print(baseline: FleetResult?) {
        Swift.print("fleet: \(targets) targets × 2 pods, \(hostile ? "\(hostileTargets) targets with hostile pods" : "clean pods"), scrape every \(format1(interval)) s, \(format1(seconds)) s measured")
        Swift.print("  scrape round p50 \(ms(rounds, 0.5)) ms, p99 \(ms(rounds, 0.99)) ms (\(rounds.count) rounds)")
        Swift.print("  healthy targets' wait (round start → last healthy target's sample) p50 \(ms(healthyRounds, 0.5)) ms, p99 \(ms(healthyRounds, 0.99)) ms (\(healthyRounds.count) rounds, \(targets - hostileTargets) healthy targets)")
        Swift.print("  round start → last target whose pods all answered (inferscale_scrape_round_answered_seconds) p50 \(ms(answeredRounds, 0.5)) ms, p99 \(ms(answeredRounds, 0.99)) ms")
        Swift.print("  decide tick p50 \(ms(ticks, 0.5)) ms, p99 \(ms(ticks, 0.99)) ms (\(ticks.count) ticks; \(format1((percentile(ticks, 0.5) ?? .nan) / Double(targets) * 1e6)) µs per target)")
        var reaction = "  reaction (step → PATCH): p50 \(ms(reactions, 0.5)) ms, p99 \(ms(reactions, 0.99)) ms over \(reactions.count) of \(steps) steps"
        if let baseline, let p = percentile(reactions, 0.99), let b = percentile(baseline.reactions, 0.99) {
            reaction += "; p99 / clean run = \(format1(p / b))×"
        }
        Swift.print(reaction)
        // Everything this process spent (loop, discovery, the in-process fake API server) over the pod scrapes it
        // made: an upper bound of the CPU per scrape that holds on a loaded machine, where the rate of scrapes drops.
        let perScrape = podScrapes > 0 ? cpu * seconds / Double(podScrapes) * 1000 : .nan
        Swift.print("  \(podScrapes) pod scrapes (\(format1(Double(podScrapes) / seconds))/s), \(format1(perScrape)) ms of this process's CPU per pod scrape; load average \(loadAverage())")
        Swift.print("  inferscale CPU \(format1(cpu)) s/s, pod server CPU \(format1(childCPU)) s/s, RSS \(format1(rssMiB)) MiB; skipped scrapes \(skipped), round overruns \(roundOverruns), tick overruns \(tickOverruns), false scale-downs \(falseScaleDowns)")
        if let baseline { printChecks(against: baseline) }
    }

    /// The checks of the issue's real-API run (200 targets, 10 hostile), on this run against its clean twin.
    private func printChecks(against clean: FleetResult) {
        func verdict(_ ok: Bool) -> String { ok ? "PASS" : "FAIL" }
        let unstepped = targets - hostileTargets - steps
        Swift.print("  check: no healthy target changes its replicas: \(verdict(healthyChanges == 0)) (\(healthyChanges) of \(unstepped) healthy targets that were not stepped had replicas set away from 2)")
        // A tick every 2 s: no gap between two decide ticks past 2.5 s (a quarter of a tick of slack for a loaded machine).
        let widest = tickGaps.max() ?? .nan
        let expected = Int(seconds / 2)
        Swift.print("  check: decisions stay every 2 s: \(verdict(widest <= 2.5 && ticks.count >= expected - 1)) (\(ticks.count) decide ticks in \(format1(seconds)) s, ≈ \(expected) due; widest gap \(format1(widest * 1000)) ms)")
        if let p = percentile(reactions, 0.99), let b = percentile(clean.reactions, 0.99),
           let p50 = percentile(reactions, 0.5), let b50 = percentile(clean.reactions, 0.5) {
            let ok = reactions.count == steps && p <= 1.1 * b
            Swift.print("  check: reaction within 10 % of the clean run: \(verdict(ok)) (p99 \(format1(p * 1000)) ms vs \(format1(b * 1000)) ms clean, \(String(format: "%.2f", p / b))×; p50 \(String(format: "%.2f", p50 / b50))×; \(reactions.count) of \(steps) steps reacted)")
        } else {
            Swift.print("  check: reaction within 10 % of the clean run: FAIL (no reactions measured: \(reactions.count) here, \(clean.reactions.count) clean)")
        }
    }

    private func ms(_ values: [Double], _ p: Double) -> String { percentile(values, p).map { format1($0 * 1000) } ?? "n/a" }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double? {
    guard !sorted.isEmpty else { return nil }
    let s = sorted.sorted()
    return s[min(s.count - 1, max(0, Int((p * Double(s.count)).rounded(.up)) - 1))]
}

/// Captures the loop's round and tick durations and its skip and overrun counters.
final class FleetMetrics: MetricsFactory, @unchecked Sendable {
    private struct State {
        var rounds: [Double] = [], ticks: [Double] = [], answered: [Double] = []
        /// When each decide tick ended, for the gaps between ticks.
        var tickEnds: [ContinuousClock.Instant] = []
        var skipped = 0, roundOverruns = 0, tickOverruns = 0
        /// Target scrapes that ended (one per target per round that was not skipped).
        var targetScrapes = 0
    }
    private let state = NIOLockedValueBox(State())

    func reset() { state.withLockedValue { $0 = State() } }
    func snapshot() -> (rounds: [Double], ticks: [Double], answered: [Double], tickEnds: [ContinuousClock.Instant], skipped: Int,
                        roundOverruns: Int, tickOverruns: Int, targetScrapes: Int) {
        state.withLockedValue { ($0.rounds, $0.ticks, $0.answered, $0.tickEnds, $0.skipped, $0.roundOverruns, $0.tickOverruns, $0.targetScrapes) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        switch label {
        case "inferscale_scrapes_skipped_total": return Count(self, \.skipped)
        case "inferscale_scrape_round_overruns_total": return Count(self, \.roundOverruns)
        case "inferscale_tick_overruns_total": return Count(self, \.tickOverruns)
        default: return Ignored()
        }
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler { Ignored() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler { Ignored() }
    func makeMeter(label: String, dimensions: [(String, String)]) -> MeterHandler { Ignored() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        switch label {
        case "inferscale_scrape_round_duration_seconds": return Durations(self, \.rounds)
        case "inferscale_scrape_round_answered_seconds": return Durations(self, \.answered)
        case "inferscale_tick_duration_seconds": return Durations(self, \.ticks, ends: \.tickEnds)
        case "inferscale_scrape_duration_seconds": return Tally(self, \.targetScrapes)
        default: return Ignored()
        }
    }
    func destroyCounter(_ handler: CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) {}
    func destroyRecorder(_ handler: RecorderHandler) {}
    func destroyMeter(_ handler: MeterHandler) {}
    func destroyTimer(_ handler: TimerHandler) {}

    private final class Count: CounterHandler, @unchecked Sendable {
        let owner: FleetMetrics, field: WritableKeyPath<State, Int>
        init(_ owner: FleetMetrics, _ field: WritableKeyPath<State, Int>) { self.owner = owner; self.field = field }
        func increment(by amount: Int64) { owner.state.withLockedValue { $0[keyPath: field] += Int(amount) } }
        func reset() {}
    }
    private final class Durations: TimerHandler, @unchecked Sendable {
        let owner: FleetMetrics, field: WritableKeyPath<State, [Double]>, ends: WritableKeyPath<State, [ContinuousClock.Instant]>?
        init(_ owner: FleetMetrics, _ field: WritableKeyPath<State, [Double]>, ends: WritableKeyPath<State, [ContinuousClock.Instant]>? = nil) {
            self.owner = owner; self.field = field; self.ends = ends
        }
        func recordNanoseconds(_ duration: Int64) {
            let now = ContinuousClock.now
            owner.state.withLockedValue {
                $0[keyPath: field].append(Double(duration) / 1e9)
                if let ends { $0[keyPath: ends].append(now) }
            }
        }
    }
    private final class Tally: TimerHandler, @unchecked Sendable {
        let owner: FleetMetrics, field: WritableKeyPath<State, Int>
        init(_ owner: FleetMetrics, _ field: WritableKeyPath<State, Int>) { self.owner = owner; self.field = field }
        func recordNanoseconds(_ duration: Int64) { owner.state.withLockedValue { $0[keyPath: field] += 1 } }
    }
    private final class Ignored: CounterHandler, FloatingPointCounterHandler, RecorderHandler, MeterHandler, TimerHandler, @unchecked Sendable {
        func increment(by: Int64) {}
        func increment(by: Double) {}
        func reset() {}
        func record(_ value: Int64) {}
        func record(_ value: Double) {}
        func set(_ value: Int64) {}
        func set(_ value: Double) {}
        func decrement(by: Double) {}
        func recordNanoseconds(_ duration: Int64) {}
    }
}

func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func residentMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Double(line.split(separator: " ")[1]) else { return .nan }
    return kb / 1024
}

/// The one-minute load average, to read the timings by: on a shared machine they stretch with it.
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "n/a"
}
