/// A ceiling guard (KV cache, GPU memory) that has no reading at all holds a scale-down. On a target whose pods can
/// never report the figure (no exporter on its nodes, a runtime without KV metrics) that hold lasts forever, so the
/// control loop names it once in its log and in `/debug/targets`; the wording lives here, once.
extension DecisionRecord {
    /// The clamp detail of a guard that held for want of any reading, e.g. `no GPU memory reading for the target's
    /// pods; holding 4`.
    public static func noReadingDetail(guard name: String, holding ready: Int) -> String {
        "\(noReading(guard: name)); holding \(ready)"
    }

    /// `no GPU memory reading for the target's pods` (`kv-cache`: `no KV-cache reading …`).
    public static func noReading(guard name: String) -> String {
        let reading = switch name {
        case "gpu-memory": "GPU memory"
        case "kv-cache": "KV-cache"
        default: name
        }
        return "no \(reading) reading for the target's pods"
    }
}
