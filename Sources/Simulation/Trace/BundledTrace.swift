import Foundation

/// The trace `inferscale simulate` replays when no `--trace` is given: a 20-minute slice of the
/// Azure LLM inference trace 2023, code service, as `time_s,prompt_tokens,output_tokens`. It is
/// a data file shipped with the binary — a SwiftPM resource of this module
/// (`Sources/Simulation/Resources/`, with its source, licence and attribution in the README
/// there) — read through `TraceReader` like any other trace.
public enum BundledTrace {
    /// Name shown in reports.
    public static let name = "Azure LLM 2023 code trace, 20-minute slice (CC-BY 4.0, Patel et al., Splitwise, ISCA 2024)"

    /// The data file, in the `Resources` folder of the module's resource bundle.
    public static let fileName = "azure-llm-2023-code-20min.csv"

    /// The resource bundle's names: SwiftPM's `<package>_<target>` with `.resources` on Linux
    /// and `.bundle` on macOS.
    static let bundleNames = ["inferscale_Simulation.resources", "inferscale_Simulation.bundle"]

    /// Reads the slice through the trace reader.
    public static func read() throws(TraceError) -> Trace {
        try TraceReader.read(path: try url().path, format: .csv)
    }

    /// Where the data file is: in the resource bundle beside the running binary (SwiftPM puts it
    /// there for `swift build`, `swift run` and `swift test`; the image copies it there), also
    /// when the binary is reached through a symbolic link.
    public static func url() throws(TraceError) -> URL {
        var folders = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        var looked: [String] = []
        for folder in folders {
            for bundle in bundleNames {
                for resources in ["Resources", "Contents/Resources/Resources"] {
                    let candidate = folder.appendingPathComponent(bundle).appendingPathComponent(resources).appendingPathComponent(fileName)
                    if FileManager.default.isReadableFile(atPath: candidate.path) { return candidate }
                    looked.append(candidate.path)
                }
            }
        }
        throw TraceError(file: fileName, line: 0, message: """
            the bundled trace is missing: inferscale_Simulation.resources must lie beside the inferscale binary \
            (looked for \(looked.first ?? fileName) and \(looked.count - 1) other places); reinstall it, or give --trace FILE
            """)
    }
}
