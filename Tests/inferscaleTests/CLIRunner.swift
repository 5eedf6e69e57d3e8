import Foundation
import Testing

/// Runs the `inferscale` binary that SwiftPM built next to the test bundle.
enum CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// From start to exit, measured on the thread that waits for the process, so a busy
        /// test thread pool does not add to it.
        var duration: Duration = .zero
    }

    static var binary: URL {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                Bundle.main.bundleURL.deletingLastPathComponent(),
                Bundle.main.bundleURL,
            ].map { $0.appendingPathComponent("inferscale") }
            guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw CLIError(message: "the inferscale binary was not found next to the tests: \(candidates.map(\.path))")
            }
            return found
        }
    }

    struct CLIError: Error { var message: String }

    /// Runs the binary and blocks this thread until it exits; tests call it through `runDetached`.
    private static func runBlocking(_ arguments: [String], executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try executable ?? binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let started = ContinuousClock.now
        try process.run()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), duration: ContinuousClock.now - started)
    }

    /// `runBlocking` waiting on a Dispatch thread: a child that runs for seconds must not hold one of
    /// the few threads of Swift's cooperative pool (two on a 2-core machine), which the
    /// in-process servers of tests running in parallel need.
    static func runDetached(_ arguments: [String], executable: URL? = nil) async throws -> Result {
        try await offThePool { try runBlocking(arguments, executable: executable) }
    }

    /// Blocking work (a child process, a synchronous HTTP call, a sleep) on a Dispatch thread, awaited.
    /// `Task.detached` is not enough: it runs on the cooperative pool too.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Swift.Result { try work() }) }
        }
    }

    static func golden(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil))
    }
}
