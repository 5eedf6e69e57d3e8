import Foundation

/// The fleet's pods over as many `--serve-fleet` child processes as the open-file limit asks for: each child
/// holds at most `perProcess` listening sockets and as many accepted connections, under the 20,000 open files a
/// process may have here (`ulimit -Hn`), all on one port so that one rule's `port` reaches every pod. Behaviour is
/// set per pod index; each command goes to the child that serves that pod.
final class FleetPodServers {
    /// Pods per child: 6,000 listeners and up to 6,000 connections stay well under a 20,000-file limit.
    static let perProcess = 6_000

    private struct Child {
        var process: Process
        var input: FileHandle
        var first: Int
    }
    private var children: [Child] = []
    /// The port every pod listens on.
    private(set) var port = 0
    let pods: Int

    init(pods: Int) throws {
        self.pods = pods
        for first in stride(from: 0, to: max(pods, 1), by: Self.perProcess) {
            let count = min(Self.perProcess, pods - first)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            process.arguments = ["--serve-fleet", "\(count)", "--first", "\(first)", "--port", "\(port)"]
            let output = Pipe(), input = Pipe()
            process.standardOutput = output
            process.standardInput = input
            try process.run()
            children.append(Child(process: process, input: input.fileHandleForWriting, first: first))
            guard let line = String(data: output.fileHandleForReading.availableData, encoding: .utf8),
                  let bound = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                stop()
                throw FleetError(message: "the fleet pod server for pods \(first)…\(first + count - 1) did not start")
            }
            port = bound
        }
    }

    /// Sets `verb` (`run`: requests running; `delay`: seconds before answering; `drip`: seconds of drip-feeding)
    /// to `value` on each of `pods`.
    func send(_ verb: String, _ pods: some Sequence<Int>, _ value: Double) {
        var lines = [String](repeating: "", count: children.count)
        for pod in pods { lines[pod / Self.perProcess] += "\(verb) \(FleetAddresses.ip(pod)) \(value)\n" }
        for (child, text) in zip(children, lines) where !text.isEmpty { child.input.write(Data(text.utf8)) }
    }

    /// CPU seconds all pod-server children have used (utime + stime).
    var cpuSeconds: Double { children.reduce(0) { $0 + ProcessStats(pid: $1.process.processIdentifier).cpuSeconds } }

    /// Closes each child's standard input (it exits) and waits for it.
    func stop() {
        for child in children { try? child.input.close() }
        for child in children { child.process.waitUntilExit() }
        children = []
    }
}
