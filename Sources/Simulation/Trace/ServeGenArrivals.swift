import Foundation

/// Request arrivals drawn from a ServeGen workload model: per client and window, a count from
/// the window's mean rate and gaps from its fitted distribution, summed over clients.
///
/// The construction is ServeGen's own (alibaba/ServeGen `servegen/construct.py`,
/// `_sample_iats`): draw gaps from the fit, then rescale them so they fill the window exactly,
/// which keeps the fit's shape (its burstiness) and the row's rate. Two departures, both so the
/// mean rate is the file's: the count is unbiased (⌊rate × 600⌋ plus one with the fractional
/// part's probability, where ServeGen's ⌈rate × 600⌉ gaps end on the window's edge and lose the
/// last arrival, so a client below 1/600 requests/s never arrives), and a window whose fit is
/// empty is a Poisson process at its rate rather than left out. The fit's scale drops out in
/// the rescaling; only its shape matters.
public enum ServeGenArrivals {
    /// What was drawn, for the report's trace name.
    public struct Span: Sendable, Equatable {
        /// Clients read.
        public var clients: Int
        /// The span, seconds on the data set's time axis; arrival times are from `start`.
        public var start: Double
        public var end: Double
        /// The factor every client's rate was multiplied by.
        public var factor: Double
        /// Expected mean rate over the span after scaling, requests/s.
        public var meanRate: Double

        /// "109 clients, 0–10800 s, rates × 0.0028 (5.00 requests/s)".
        public var description: String {
            "\(clients) clients, \(Int(start))–\(Int(end)) s, rates × \(String(format: "%.4g", factor)) (\(String(format: "%.2f", meanRate)) requests/s)"
        }
    }

    /// The arrivals of `clients` over the configured span, lengths drawn from `lengths`, times
    /// from the span's start; deterministic for a seed.
    public static func generate(clients: [ServeGenClient], configuration: ServeGenConfiguration, lengths: TokenLengthSample,
                                source: String) throws(TraceError) -> (trace: Trace, span: Span) {
        let width = ServeGenConfiguration.windowSeconds
        guard let first = clients.compactMap({ $0.windows.first?.start }).min(),
              let last = clients.compactMap({ $0.windows.last?.start }).max() else {
            throw TraceError(file: source, line: 0, message: "no ServeGen client windows to draw from")
        }
        let start = configuration.startSeconds ?? first
        let end = start + configuration.durationSeconds
        guard configuration.durationSeconds > 0, start < last + width else {
            throw TraceError(file: source, line: 0, message: "the span \(Int(start))–\(Int(end)) s is outside the data, which covers \(Int(first))–\(Int(last + width)) s")
        }
        func overlap(_ w: ServeGenWindow) -> Double { max(0, min(end, w.start + width) - max(start, w.start)) }

        let expected = clients.reduce(0.0) { sum, c in c.windows.reduce(sum) { $0 + $1.rate * overlap($1) } }
        let factor: Double
        switch configuration.rateScale {
        case let .factor(x): factor = x
        case let .meanRate(r):
            guard expected > 0 else {
                throw TraceError(file: source, line: 0, message: "no client has traffic in \(Int(start))–\(Int(end)) s; choose another --from (the data covers \(Int(first))–\(Int(last + width)) s)")
            }
            factor = r * (end - start) / expected
        }
        guard expected * factor <= Double(configuration.maximumRequests) else {
            let fits = Double(configuration.maximumRequests) * 0.9 / expected
            throw TraceError(file: source, line: 0, message: "the span would draw about \(Int(expected * factor)) requests, more than the \(configuration.maximumRequests) one replay holds; scale the rates down (--rate-scale \(String(format: "%.3g", fits)) or a --mean-rate) or shorten the span")
        }

        var arrivals: [(time: Double, client: Int)] = []
        arrivals.reserveCapacity(Int(expected * factor * 1.05) + 16)
        for (c, client) in clients.enumerated() {
            let clientKey = fnv1a(client.name)
            for window in client.windows where overlap(window) > 0 {
                var random = stream(configuration.seed, clientKey, UInt64(bitPattern: Int64(window.start.rounded())))
                for t in draw(window, factor: factor, width: width, using: &random) where t >= start && t < end {
                    arrivals.append((t - start, c))
                }
            }
        }
        // Ties (the bursty fits put several arrivals in one instant) are ordered by client.
        arrivals.sort { $0.time < $1.time || ($0.time == $1.time && $0.client < $1.client) }
        var random = stream(configuration.seed, fnv1a("lengths"), 0)
        let requests = arrivals.map { a -> TraceRequest in
            let (prompt, output) = lengths.draw(using: &random)
            return TraceRequest(time: a.time, promptTokens: prompt, outputTokens: output)
        }
        let span = Span(clients: clients.count, start: start, end: end, factor: factor, meanRate: expected * factor / (end - start))
        return (Trace(requests: requests, duration: end - start), span)
    }

    /// One window's arrival times (seconds on the data set's axis), in order.
    static func draw(_ window: ServeGenWindow, factor: Double, width: Double, using random: inout SeededRandom) -> [Double] {
        let rate = window.rate * factor
        guard rate > 0 else { return [] }
        if window.fit == .unfitted {
            // No fit: a Poisson process at the row's rate.
            var times: [Double] = []
            var t = window.start
            while true {
                t += -log(random.unit()) / rate
                guard t < window.start + width else { return times }
                times.append(t)
            }
        }
        let mean = rate * width
        let count = Int(mean) + (random.unit() < mean - mean.rounded(.down) ? 1 : 0)
        guard count > 0 else { return [] }
        // count arrivals split the window into count + 1 gaps; drawn as logarithms, scaled to
        // the window from the largest down so that shapes near 0 do not underflow.
        var gaps = (0...count).map { _ in window.fit.logGap(using: &random) }
        let top = gaps.max()!
        var total = 0.0
        for i in gaps.indices {
            gaps[i] = exp(gaps[i] - top)
            total += gaps[i]
        }
        var times: [Double] = []
        times.reserveCapacity(count)
        let edge = (window.start + width).nextDown
        var sum = 0.0
        for i in 0..<count {
            sum += gaps[i]
            times.append(min(edge, window.start + width * sum / total))
        }
        return times
    }

    /// A generator for one stream of draws, from the seed and the stream's keys (SplitMix64
    /// over each key in turn, so nearby keys give unrelated streams).
    static func stream(_ seed: UInt64, _ keys: UInt64...) -> SeededRandom {
        var state = seed
        for key in keys {
            var mixer = SeededRandom(seed: state ^ key)
            state = mixer.next()
        }
        return SeededRandom(seed: state)
    }

    /// FNV-1a, 64 bits: a client name's key that is the same in every process (Swift's
    /// `Hasher` is seeded per process).
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
