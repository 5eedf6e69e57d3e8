/// One parser of untrusted bytes under the fuzzer. Each `run` feeds an input to the real
/// decoder and checks properties that must hold for any input (a violated one stops the
/// fuzzer with the input saved); a thrown decoding error is a correct answer, not a finding.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// Prometheus text 0.0.4 (`ExpositionParser`), a fresh parser against a reused one.
    case text
    /// OpenMetrics 1.0 text with its checker, likewise.
    case openmetrics
    /// The queue-proxy `Stat` and activator `WireStatMessages` protobuf decoders, with a round trip.
    case stat
    /// Rule files: YAML parsing, validation with positions, resolution.
    case rules
    /// The watch-stream line splitter (any chunking) and the watch-event decoder.
    case watch
    /// The `POST /push` body, JSON or protobuf.
    case push
    /// The remote-write 1.0 and 2.0 request decoders of the test kit.
    case remoteWrite = "remote-write"

    func run(_ bytes: [UInt8]) {
        switch self {
        case .text: ExpositionFuzz.run(bytes, format: .prometheusText)
        case .openmetrics: ExpositionFuzz.run(bytes, format: .openMetrics)
        case .stat: StatFuzz.run(bytes)
        case .rules: RulesFuzz.run(bytes)
        case .watch: WatchFuzz.run(bytes)
        case .push: PushFuzz.run(bytes)
        case .remoteWrite: RemoteWriteFuzz.run(bytes)
        }
    }
}
