/// One window of `ClairvoyantBound`: a lead `[start, workStart)` of at most the least cold
/// start, then `[workStart, end)`, whose requests (arriving and due in it) need their prompt
/// work done in it. Over the window every scaler spends at least the larger of
/// `minReplicas × (end − start)` and `W × (1 + lead ÷ length)`, W being that work: the replicas
/// that do it serve at most `length` seconds each in it, so there are at least W ÷ length of
/// them, and each existed for the lead before it first served in it.
struct BoundWindow: Equatable {
    var start: Double
    var workStart: Double
    var end: Double

    var lead: Double { workStart - start }
    var length: Double { end - workStart }

    /// What the window adds above the floor (replica-seconds), and what giving up its requests
    /// one by one, largest first, takes off that: each gain is the next request's work (scaled
    /// by the lead) until the excess is used up, so the gains fall.
    func excess(_ demands: [ClairvoyantBound.Demand], minReplicas: Int) -> (excess: Double, gains: [Double]) {
        let scale = 1 + lead / length
        // Demands are sorted by arrival: the window's are among those arriving in [workStart, end).
        var lo = 0, hi = demands.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if demands[mid].arrival < workStart { lo = mid + 1 } else { hi = mid }
        }
        var works: [Double] = []
        var i = lo
        while i < demands.count && demands[i].arrival < end {
            if demands[i].deadline <= end { works.append(demands[i].work * scale) }
            i += 1
        }
        let excess = works.reduce(0, +) - Double(minReplicas) * (end - start)
        guard excess > 0 else { return (0, []) }
        var gains: [Double] = []
        var taken = 0.0
        for w in works.sorted(by: >) where taken < excess {
            let next = min(taken + w, excess)
            gains.append(next - taken)
            taken = next
        }
        return (excess, gains)
    }
}

/// Chooses `ClairvoyantBound`'s windows for one target: disjoint windows on a grid over the
/// span that maximise what they add above the floor, by dynamic programming over the grid's
/// points (each point ends a floor-only step or a window of one of the lengths and leads
/// tried). Any choice of disjoint windows gives a bound; this one gives the highest the grid
/// allows for the demands it is given.
enum BoundWindows {
    static func choose(_ demands: [ClairvoyantBound.Demand], span: Double, grid: Double, minReplicas: Int, shortest: Double,
                       leadLimit: Double, configuration: ClairvoyantBound.Configuration) -> [BoundWindow] {
        guard grid > 0, span >= grid, !demands.isEmpty else { return [] }
        let points = Int((span / grid).rounded(.down))
        // arriving[g]: work arriving at or after point g; due[g]: work due after point g. A window
        // [g1, g2) at least `shortest` long holds exactly arriving[g1] − due[g2]: no request both
        // arrives before it and is due after it, as none is due more than `shortest` after arriving.
        var arriving = [Double](repeating: 0, count: points + 2)
        var due = [Double](repeating: 0, count: points + 2)
        for d in demands {
            arriving[min(points, max(0, Int((d.arrival / grid).rounded(.down))))] += d.work
            let last = Int((d.deadline / grid).rounded(.up)) - 1  // the last point before the deadline
            if last >= 0 { due[min(points, last)] += d.work }
        }
        for g in stride(from: points - 1, through: 0, by: -1) {
            arriving[g] += arriving[g + 1]
            due[g] += due[g + 1]
        }
        var lengths: [Int] = []
        var k = max(1, Int((shortest / grid - 1e-9).rounded(.up)))
        let longest = max(k, Int((configuration.maxWindowSeconds / grid).rounded(.down)))
        while k <= longest {
            lengths.append(k)
            k = max(k + 1, Int((Double(k) * configuration.windowGrowth).rounded(.down)))
        }
        let leads = Array(Set(configuration.leadShares.map { max(0, Int((min(1, $0) * leadLimit / grid).rounded(.down))) } + [0])).sorted()
        let floor = Double(minReplicas) * grid

        var best = [Double](repeating: 0, count: points + 1)
        var pick = [(length: Int, lead: Int)](repeating: (0, 0), count: points + 1)
        for g in 1...points {
            var b = best[g - 1]
            var choice = (length: 0, lead: 0)
            for k in lengths {
                guard k <= g else { break }
                let work = arriving[g - k] - due[g]
                guard work > 0 else { continue }
                for l in leads where k + l <= g {
                    let gain = (1 + Double(l) / Double(k)) * work - floor * Double(k + l)
                    if gain > 0 && best[g - k - l] + gain > b {
                        b = best[g - k - l] + gain
                        choice = (k, l)
                    }
                }
            }
            best[g] = b
            pick[g] = choice
        }
        var windows: [BoundWindow] = []
        var g = points
        while g > 0 {
            let (k, l) = pick[g]
            if k == 0 {
                g -= 1
                continue
            }
            windows.append(BoundWindow(start: Double(g - k - l) * grid, workStart: Double(g - k) * grid, end: Double(g) * grid))
            g -= k + l
        }
        return windows.reversed()
    }
}
