import Scaling

/// Decider throughput: one tick over 10,000 targets whose 60 s windows are full — a scraped
/// stat recorded for each target, then the windows read and the decider run. The baseline
/// in the same run reads the same windows naively (summing every bucket), which is what a
/// straightforward implementation would do each tick.
func runDeciderBenchmark() throws {
    let targets = 10_000
    let rounds = 30
    let policy = try KPAPolicy()
    var windows = [MetricCollection](repeating: policy.makeMetricCollection(), count: targets)
    var deciders = [Decider](repeating: Decider(spec: policy.decider, readyPods: 1, now: Timestamp(seconds: 0)), count: targets)
    var naive = [[Double]](repeating: [Double](repeating: 0, count: 60), count: targets)
    var rng = BenchmarkRandom(seed: 42)
    var loads = (0..<targets).map { _ in Double(rng.next() % 500) }

    // Fill 60 s of history.
    for s in 0..<60 {
        let now = Timestamp(seconds: Int64(s))
        for i in 0..<targets {
            windows[i].record(Stat(averageConcurrentRequests: loads[i]), at: now)
            naive[i][s % 60] = loads[i]
        }
    }

    let clock = ContinuousClock()
    var tickTimes: [Duration] = []
    var baselineTimes: [Duration] = []
    var recordTimes: [Duration] = [], observeTimes: [Duration] = [], decideTimes: [Duration] = []
    var checksum: Int64 = 0
    var baselineChecksum = 0.0
    for round in 0..<rounds {
        let second = 60 + 2 * round
        let now = Timestamp(seconds: Int64(second))
        for i in stride(from: round % 7, to: targets, by: 7) { loads[i] = Double(rng.next() % 500) }

        let start = clock.now
        for i in 0..<targets {
            windows[i].record(Stat(averageConcurrentRequests: loads[i]), at: now)
        }
        let t1 = clock.now
        var obs: [Observation?] = []
        obs.reserveCapacity(targets)
        for i in 0..<targets {
            obs.append(windows[i].observation(of: .concurrency, at: now))
        }
        let t2 = clock.now
        for i in 0..<targets {
            let result = deciders[i].evaluate(readyPods: 3, observation: obs[i], now: now)
            checksum &+= Int64(result.desiredPodCount)
        }
        let t3 = clock.now
        tickTimes.append(t3 - start)
        recordTimes.append(t1 - start)
        observeTimes.append(t2 - t1)
        decideTimes.append(t3 - t2)

        let baselineStart = clock.now
        for i in 0..<targets {
            naive[i][second % 60] = loads[i]
            var stable = 0.0
            for v in naive[i] { stable += v }
            var panic = 0.0
            for k in 0..<6 { panic += naive[i][(second - k + 60) % 60] }
            baselineChecksum += (stable / 60 / 70).rounded(.up) + (panic / 6 / 70).rounded(.up)
        }
        baselineTimes.append(clock.now - baselineStart)
    }

    let tick = median(tickTimes)
    let baseline = median(baselineTimes)
    let perEval = tick / Double(targets)
    print("decider: \(targets) targets, full 60 s windows, \(rounds) ticks (median)")
    print("  tick (record + windows + decide): \(format(tick)) ms  — goal < 5 ms on one core")
    print("    of which record \(format(median(recordTimes))) ms, read windows \(format(median(observeTimes))) ms, decide \(format(median(decideTimes))) ms")
    print("  evaluations per second:          \(Int(Double(targets) / tick))")
    print("  per target:                      \(format1(perEval * 1e6)) µs")
    print("  baseline (naive window sums):    \(format(baseline)) ms; tick / baseline = \(format1(tick / baseline))×")
    print("  (checksums \(checksum) \(Int(baselineChecksum)))")
}

private func median(_ values: [Duration]) -> Double {
    let seconds = values.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }.sorted()
    return seconds[seconds.count / 2]
}

private func format(_ seconds: Double) -> String { format1(seconds * 1000) }

func format1(_ v: Double) -> String {
    let scaled = (v * 100).rounded() / 100
    return "\(scaled)"
}

/// xorshift64*: a tiny deterministic generator for benchmark inputs.
struct BenchmarkRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }
}
