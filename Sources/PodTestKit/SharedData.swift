import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers

/// Test data the repository does not ship — the OpenMetrics conformance corpus and the full
/// public traces — read from the folder `INFERSCALE_SHARED` names (absolute, or relative to the
/// package root; default `../shared`, the folder beside the checkout).
///
/// A suite that needs it guards itself with `.enabled(if: SharedData.available(…))`: when the
/// data is absent the suite is skipped, its name goes to `notRunFile`, and `make test` lists it
/// as not run in its last lines, so it is never mistaken for a pass.
public enum SharedData {
    /// The environment variable that locates the shared data.
    public static let environmentVariable = "INFERSCALE_SHARED"

    /// The package root (where Package.swift is).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // Sources/PodTestKit
        .deletingLastPathComponent()   // Sources
        .deletingLastPathComponent()   // repository root
        .standardizedFileURL

    /// The shared data folder: `$INFERSCALE_SHARED`, else `../shared` beside the package.
    public static let root: URL = {
        let given = ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? "../shared"
        let url = given.hasPrefix("/") ? URL(fileURLWithPath: given) : packageRoot.appendingPathComponent(given)
        return url.standardizedFileURL
    }()

    /// Where the names of suites skipped for want of shared data are appended, one line each;
    /// the Makefile clears it before a run and prints it after.
    public static let notRunFile: URL = packageRoot.appendingPathComponent(".build/tests-not-run.txt")

    private static let reported = NIOLockedValueBox<Set<String>>([])

    /// Whether `relativePath` exists under `root`. When it does not, records `suite` as not run
    /// (in `notRunFile` and on standard error), once per process.
    public static func available(_ relativePath: String, for suite: String) -> Bool {
        let path = root.appendingPathComponent(relativePath).path
        if FileManager.default.fileExists(atPath: path) { return true }
        let line = "\(suite): needs \(path) (set \(environmentVariable) to the shared data folder)"
        let first = reported.withLockedValue { $0.insert(line).inserted }
        if first {
            FileHandle.standardError.write(Data("NOT RUN \(line)\n".utf8))
            appendNotRun(line)
        }
        return false
    }

    /// The bytes of a file under `root`.
    public static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// The OpenMetrics conformance case names (directories with a test.json); empty when absent.
    public static var conformanceCases: [String] {
        let directory = root.appendingPathComponent("testdata/openmetrics/parsers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: directory.appendingPathComponent("\($0)/test.json").path) }.sorted()
    }

    /// Appends one line with O_APPEND, so test processes running at once do not overwrite each other.
    private static func appendNotRun(_ line: String) {
        let path = notRunFile.path
        try? FileManager.default.createDirectory(at: notRunFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
