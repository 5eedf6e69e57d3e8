import Foundation

/// The trace formats `inferscale simulate` reads.
public enum TraceFormat: String, Sendable, CaseIterable {
    /// Azure LLM inference trace 2023: `TIMESTAMP,ContextTokens,GeneratedTokens`.
    case azureLLM = "azure-llm"
    /// Mooncake (FAST'25) JSON Lines: `timestamp` (ms), `input_length`, `output_length`.
    case mooncake
    /// Alibaba GenAI 2026 LoRA request trace: `gmt_create`, …, `exec_time_seconds`, ….
    case alibabaLoRA = "alibaba-lora"
    /// Plain CSV: `time_s,prompt_tokens,output_tokens` or `time_s,service_s`.
    case csv
    /// ServeGen per-client workload models: a folder of `chunk-<client>-trace.csv` files (or
    /// one), one row per 600 s window; arrivals are drawn from them (`ServeGenArrivals`).
    case servegen

    /// Guesses the format from the first line of the file.
    public static func detect(firstLine: String) -> TraceFormat? {
        let line = firstLine.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\u{FEFF}", with: "")
        if line.hasPrefix("{") { return .mooncake }
        if line.hasPrefix("TIMESTAMP,ContextTokens") { return .azureLLM }
        if line.hasPrefix("gmt_create,") { return .alibabaLoRA }
        if line.hasPrefix("time_s,") { return .csv }
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        if fields.count == 6, Double(fields[0]) != nil, ["", "Gamma", "Weibull", "Exponential"].contains(fields[3]) { return .servegen }
        return nil
    }
}

