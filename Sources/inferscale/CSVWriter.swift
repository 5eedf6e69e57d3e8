import Scaling

/// Writes `decide` evaluations as CSV to stdout, buffered.
struct CSVWriter {
    static let header = "time_s,event,ready_pods,observed_stable,observed_panic,valid,desired_pods,ebc,panic_mode,latest_desired"
    /// The columns `--scale-to-zero` adds.
    static let gateHeader = ",want,replicas,activator_in_path,phase,gate_reason"
    private var buffer = ""
    /// Whether the gate's columns are written.
    var gate = false

    mutating func writeHeader() {
        buffer += Self.header + (gate ? Self.gateHeader : "") + "\n"
    }

    mutating func write(_ e: DecideReplay.Evaluation) {
        let stable = e.result.details.map { format($0.observation.stable) } ?? "NaN"
        let panic = e.result.details.map { format($0.observation.panic) } ?? "NaN"
        buffer += "\(e.time),\(e.event.rawValue),\(e.readyPods),\(stable),\(panic),\(e.result.isValid ? 1 : 0),"
        buffer += "\(e.result.desiredPodCount),\(e.result.excessBurstCapacity),\(e.inPanic ? 1 : 0),\(e.latestDesired)"
        if gate, let g = e.gate {
            // The reason is free text: quoted, as CSV needs for commas.
            let reason = g.action.reason.replacingOccurrences(of: "\"", with: "\"\"")
            buffer += ",\(g.action.want),\(g.action.replicas.map(String.init) ?? ""),\(g.action.activatorInPath ? 1 : 0),\(g.phase),\"\(reason)\""
        }
        buffer += "\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        writeAll(buffer, to: 1)
        buffer = ""
    }

    /// Shortest text that reads back as the same double; whole numbers without ".0".
    private func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
