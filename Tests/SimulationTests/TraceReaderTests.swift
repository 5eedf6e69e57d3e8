import Foundation
import PodTestKit
import Testing
@testable import Simulation

@Suite struct TraceReaderTests {
    @Test func readsTheAzureLLMFormat() throws {
        let azure = try TraceReader.read(path: try Fixtures.traceURL("azure-llm-2023-code-head.csv").path)
        #expect(azure.requests.count == 40)
        #expect(azure.requests[0] == TraceRequest(time: 0, promptTokens: 4808, outputTokens: 10))
        // 18:17:03.9799600 → 18:17:04.0319600
        #expect(abs(azure.requests[1].time - 0.052) < 1e-6)
        // The 40th row: 18:17:38.2643990, prompt 3351, output 9.
        #expect(abs(azure.duration - 34.284439) < 1e-6)
        #expect(azure.requests.last?.promptTokens == 3351)
        #expect(azure.hasTokens)
    }

    @Test func readsTheMooncakeFormat() throws {
        let mooncake = try TraceReader.read(path: try Fixtures.traceURL("mooncake-fast25-conversation-head.jsonl").path)
        #expect(mooncake.requests.count == 12)
        #expect(mooncake.requests[0].promptTokens == 6758 && mooncake.requests[0].outputTokens == 500)
        // hash_ids become 512-token segments, the last one what is left of the prompt; the
        // first two requests share their first block (id 0) and nothing after it.
        let first = mooncake.requests[0].segments, second = mooncake.requests[1].segments
        #expect(first.count == 14 && first.last == PromptSegment(id: 13, tokens: 6758 - 13 * 512))
        #expect(first[0] == second[0] && first[1] != second[1])
        #expect(mooncake.duration == 3)  // timestamps are milliseconds: the 12th arrives at 3000 ms
        #expect(mooncake.hasTokens)
    }

    @Test func readsTheAlibabaLoRAFormat() throws {
        let lora = try TraceReader.read(path: try Fixtures.traceURL("alibaba-lora-format.csv").path)
        #expect(lora.requests.count == 6)
        #expect(!lora.hasTokens)
        #expect(lora.requests.map(\.time) == [0, 0, 7, 190, 4500, 57599])
        // A failed request without exec_time_seconds is still load; its service time comes from the profile.
        #expect(lora.requests.compactMap(\.serviceSeconds).sorted() == [12, 28.25, 30, 33, 41.5])
        #expect(lora.requests[3].serviceSeconds == nil)
    }

    @Test func plainCSVWithTokensOrServiceTimes() throws {
        let tokens = try TraceReader.parse("time_s,prompt_tokens,output_tokens\n2.5,100,10\n1.0,50,5\n")
        #expect(tokens.requests == [TraceRequest(time: 0, promptTokens: 50, outputTokens: 5), TraceRequest(time: 1.5, promptTokens: 100, outputTokens: 10)])
        let service = try TraceReader.parse("time_s,service_s\n0,0.25\n3,1\n")
        #expect(service.requests.map(\.serviceSeconds) == [0.25, 1])
        #expect(!service.hasTokens)
    }

    @Test func malformedRowsAreErrorsWithTheirLine() {
        #expect(throws: TraceError(file: "t", line: 3, message: "prompt_tokens must be a whole number ≥ 0, found 'x'")) {
            try TraceReader.parse("time_s,prompt_tokens,output_tokens\n0,1,1\n1,x,1\n", name: "t")
        }
        #expect(throws: TraceError(file: "t", line: 2, message: "expected 3 fields, found 2")) {
            try TraceReader.parse("time_s,prompt_tokens,output_tokens\n0,1\n", name: "t")
        }
        #expect(throws: TraceError(file: "t", line: 2, message: "TIMESTAMP must look like 2023-11-16 18:17:03.9799600, found '2023-13-01 00:00:00'")) {
            try TraceReader.parse("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-13-01 00:00:00,1,1\n", name: "t")
        }
        #expect(throws: TraceError(file: "t", line: 2, message: "expected a JSON object with timestamp (ms), input_length and output_length")) {
            try TraceReader.parse("{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n{\"timestamp\": 5}\n", name: "t")
        }
        #expect(throws: TraceError.self) { try TraceReader.parse("a,b\n1,2\n", name: "t") }
        #expect(throws: TraceError.self) { try TraceReader.parse("time_s,service_s\n", name: "t") }
    }

    @Test func windowShiftsAndCompresses() throws {
        let trace = try TraceReader.parse("time_s,service_s\n0,1\n10,1\n20,1\n30,1\n")
        let w = trace.window(from: 10, to: 30, speed: 2)
        #expect(w.requests.map(\.time) == [0, 5])
        #expect(w.duration == 10)
    }

    @Test func bundledSliceIsReadFromItsDataFile() throws {
        let url = try BundledTrace.url()
        #expect(url.lastPathComponent == "azure-llm-2023-code-20min.csv")
        let trace = try BundledTrace.read()
        #expect(trace.requests.count == 4497)
        #expect(trace.duration > 19 * 60 && trace.duration <= 20 * 60)
        #expect(trace.hasTokens)
    }
}

/// The full public traces, which the repository does not ship: counts and spans from their README.
@Suite(.enabled(if: SharedData.available("traces", for: "PublicTraceTests"),
                "not run: the public traces are not in INFERSCALE_SHARED (default ../shared)"))
struct PublicTraceTests {
    @Test func readsEveryPublicTraceInFull() throws {
        let azure = try TraceReader.read(path: SharedData.root.appendingPathComponent("traces/azure-llm-2023/AzureLLMInferenceTrace_code.csv").path)
        #expect(azure.requests.count == 8819)
        #expect(azure.requests[0] == TraceRequest(time: 0, promptTokens: 4808, outputTokens: 10))
        // The README's statistics: about 57.3 minutes.
        #expect(abs(azure.duration / 60 - 57.3) < 0.1)

        let mooncake = try TraceReader.read(path: SharedData.root.appendingPathComponent("traces/mooncake-fast25/conversation_trace.jsonl").path)
        #expect(mooncake.requests.count == 12031)
        #expect(mooncake.requests[0].promptTokens == 6758 && mooncake.requests[0].outputTokens == 500)
        #expect(abs(mooncake.duration / 60 - 58.9) < 0.1)

        let lora = try TraceReader.read(path: SharedData.root.appendingPathComponent("traces/alibaba-genai-2026/lora_request_trace.csv").path)
        #expect(lora.requests.count == 26823)
        #expect(!lora.hasTokens)
        #expect(abs(lora.duration / 3600 - 552.6) < 0.1)
    }
}
