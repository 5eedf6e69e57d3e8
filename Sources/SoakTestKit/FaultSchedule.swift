/// One injected fault: its class, the step it starts at, how many steps it lasts, and what it hits.
public struct Fault: Sendable, Equatable, CustomStringConvertible {
    public var kind: FaultClass
    public var step: Int
    /// Steps until it is lifted (pods, 403, remote-write, rules); 0 for one-off faults.
    public var duration: Int
    /// Target index (pod faults, forbidden resource choice) or a count (API faults: requests hit).
    public var subject: Int
    /// Pod index within the target (pod faults).
    public var pod: Int

    public var description: String { "\(step)+\(duration):\(kind.rawValue):\(subject).\(pod)" }
}

/// The seeded fault schedule of a soak: every class `faultsPerClass` times at random steps between the warm-up
/// and the quiet tail. The same seed and configuration give the same schedule.
public struct FaultSchedule: Sendable {
    public private(set) var faults: [Fault]

    public init(configuration c: SoakConfiguration) {
        var rng = SoakRandom(seed: c.seed)
        let first = c.warmupSteps, last = max(first + 1, c.simulatedSeconds - c.quietTailSteps - 1)
        var faults: [Fault] = []
        for kind in FaultClass.allCases {
            for n in 0..<c.faultsPerClass {
                var duration = 0
                switch kind {
                case .podFlapping, .podHanging, .podGarbage, .podDying: duration = Int.random(in: 3...20, using: &rng)
                case .forbidden: duration = Int.random(in: 5...30, using: &rng)
                case .rulesBroken: duration = Int.random(in: 5...40, using: &rng)
                case .remoteWriteDown: duration = n == 0 ? c.longRemoteWriteOutageSeconds : Int.random(in: 10...60, using: &rng)
                default: duration = 0
                }
                let subject = kind.hitsRequests ? Int.random(in: 1...4, using: &rng) : Int.random(in: 0..<max(1, c.targets), using: &rng)
                let latestStart = kind == .remoteWriteDown ? max(first, last - duration) : last
                faults.append(Fault(kind: kind, step: Int.random(in: first...latestStart, using: &rng), duration: duration,
                                    subject: subject, pod: Int.random(in: 0..<max(1, c.podsPerTarget), using: &rng)))
            }
        }
        self.faults = faults.sorted { ($0.step, $0.kind) < ($1.step, $1.kind) }
    }

    /// The faults that start at `step`.
    public func starting(at step: Int) -> ArraySlice<Fault> {
        let lower = faults.partitioningIndex { $0.step >= step }
        let upper = faults.partitioningIndex { $0.step > step }
        return faults[lower..<upper]
    }

    /// One line per fault, `step+duration:class:subject.pod`, for replaying a failure.
    public var listing: String { faults.map(\.description).joined(separator: " ") }
}

extension FaultClass {
    /// API faults say how many requests they hit rather than which target.
    var hitsRequests: Bool { [.apiServerError, .apiThrottled, .apiTimeout, .conflictStorm].contains(self) }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is false then true along the array.
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
