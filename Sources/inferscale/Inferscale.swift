import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// The `inferscale` command line.
struct Inferscale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inferscale",
        abstract: "An autoscaler and metrics service for model serving on Kubernetes.",
        discussion: """
            inferscale decides replica counts for KServe InferenceServices and Deployments that run \
            vLLM, TGI, Triton, SGLang or a KServe model server, starting from Knative's KPA rules.
            """,
        subcommands: [SimulateCommand.self, TuneCommand.self, DecideCommand.self, RunCommand.self, CheckCommand.self, AgentCommand.self, LintCommand.self, ExplainCommand.self, ScrapeCommand.self]
    )
}

/// Entry point: bad input (unknown flags, malformed values or traces) exits with status 2
/// and a message on stderr; `--help` prints to stdout and exits 0.
@main
enum Main {
    static func main() async {
        do {
            var command = try Inferscale.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            printError("error: \(error.message)")
            exit(2)
        } catch {
            let code = Inferscale.exitCode(for: error)
            let message = Inferscale.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            printError(message)
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Bad input from the user: exit status 2 with this message.
struct InputError: Error {
    var message: String
}

func printError(_ message: String) {
    var stderr = StandardError()
    print(message, to: &stderr)
}

/// Writes to the process's standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        writeAll(string, to: 2)
    }
}

/// Writes every byte of `string` to a file descriptor (1 = stdout, 2 = stderr).
func writeAll(_ string: String, to fd: Int32) {
    var text = string
    text.withUTF8 { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { return }
            offset += n
        }
    }
}
