import Foundation

/// Locates the shared test data beside the repository (`../shared`), which is not copied into the repo.
public enum SharedData {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Sources/PodTestKit
        .deletingLastPathComponent()   // Sources
        .deletingLastPathComponent()   // repository root
        .appendingPathComponent("../shared")
        .standardizedFileURL

    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// The OpenMetrics conformance case names (directories with a test.json).
    public static var conformanceCases: [String] {
        let directory = root.appendingPathComponent("testdata/openmetrics/parsers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/test.json").path) }.sorted()
    }

    public static let fixtureNames = ["vllm", "sglang", "tgi", "triton", "queue-proxy-9091", "queue-proxy-9091-legacy", "dcgm-exporter"]
}
