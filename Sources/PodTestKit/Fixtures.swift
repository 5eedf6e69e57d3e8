import Foundation

/// Test data that ships with the repository (`Sources/PodTestKit/TestData`, a resource of this
/// test kit): the runtimes' scrape payloads and small trace slices. Tests the product depends on
/// read only this, so `make test` passes on a fresh clone.
public enum Fixtures {
    /// The scrape payloads in `TestData/metrics`, by name without `.txt`.
    public static let metricNames = ["vllm", "sglang", "tgi", "triton", "queue-proxy-9091", "queue-proxy-9091-legacy", "dcgm-exporter"]

    /// The folder holding the test data (`TestData` in the resource bundle).
    public static var root: URL {
        get throws {
            guard let url = Bundle.module.url(forResource: "TestData", withExtension: nil) else {
                throw FixtureError(message: "PodTestKit's TestData resource is missing from \(Bundle.module.bundlePath); rebuild with swift build --build-tests")
            }
            return url
        }
    }

    /// The file of one scrape payload, e.g. `metricsURL("vllm")`.
    public static func metricsURL(_ name: String) throws -> URL {
        try file("metrics/\(name).txt")
    }

    /// The bytes of one scrape payload, e.g. `metrics("vllm")`.
    public static func metrics(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try metricsURL(name)))
    }

    /// A trace slice in `TestData/traces`, by file name.
    public static func traceURL(_ fileName: String) throws -> URL {
        try file("traces/\(fileName)")
    }

    private static func file(_ relativePath: String) throws -> URL {
        let url = try root.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError(message: "no test data file \(relativePath) in \(try root.path)")
        }
        return url
    }
}

/// A fixture that is not where the test kit expects it.
public struct FixtureError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
