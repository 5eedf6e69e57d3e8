import Foundation

/// Reads a ServeGen workload model from disk: a folder of `chunk-<client>-trace.csv` files (a
/// data folder of alibaba/ServeGen such as `data/language/m-mid`), or one such file.
///
/// The bundles in ../shared/traces/servegen are tar.gz files; they are refused with the command
/// that extracts them rather than unpacked here, so this pure module runs no tools.
public enum ServeGenReader {
    /// Files larger than this are refused (a released client file is under 200 KB).
    public static let maximumFileSize = 64 << 20

    /// The clients at `path`, in file-name order.
    public static func clients(at path: String) throws(TraceError) -> [ServeGenClient] {
        try TraceReader.refuseCompressed(path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TraceError(file: path, line: 0, message: "no such file or folder")
        }
        guard isFolder.boolValue else { return [try client(file: path)] }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw TraceError(file: path, line: 0, message: "the folder cannot be listed")
        }
        let files = names.filter { $0.hasPrefix("chunk-") && $0.hasSuffix("-trace.csv") }.sorted()
        guard !files.isEmpty else {
            let folders = names.filter { name in
                var d: ObjCBool = false
                return FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &d) && d.boolValue
            }.sorted()
            let hint = folders.isEmpty ? "" : "; it holds the folders \(folders.joined(separator: ", ")): give one of them"
            throw TraceError(file: path, line: 0, message: "no ServeGen client files (chunk-<client>-trace.csv) in this folder\(hint)")
        }
        var clients: [ServeGenClient] = []
        for file in files { clients.append(try client(file: (path as NSString).appendingPathComponent(file))) }
        return clients
    }

    /// Arrivals drawn from the model at `path` (`ServeGenArrivals`), with lengths from `lengths`.
    public static func read(path: String, configuration: ServeGenConfiguration, lengths: TokenLengthSample) throws(TraceError) -> (trace: Trace, span: ServeGenArrivals.Span) {
        try ServeGenArrivals.generate(clients: try clients(at: path), configuration: configuration, lengths: lengths, source: path)
    }

    private static func client(file: String) throws(TraceError) -> ServeGenClient {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int else {
            throw TraceError(file: file, line: 0, message: "the file cannot be read")
        }
        guard size <= maximumFileSize else {
            throw TraceError(file: file, line: 0, message: "file is \(size) bytes; a ServeGen client file is limited to \(maximumFileSize) bytes")
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
            throw TraceError(file: file, line: 0, message: "not UTF-8 text")
        }
        return try ServeGenClient.parse(text, name: ServeGenClient.name(fileName: (file as NSString).lastPathComponent), file: file)
    }
}
