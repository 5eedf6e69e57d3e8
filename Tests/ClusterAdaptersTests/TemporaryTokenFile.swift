import Foundation

/// A push token file in a fresh temporary directory, laid out as the kubelet mounts a Secret:
/// `token` is a symlink to `..data/token`, and `..data` a symlink to a timestamped directory
/// that a rotation replaces atomically.
struct TemporaryTokenFile {
    let directory: URL
    var path: String { directory.appendingPathComponent("token").path }

    init(_ contents: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("push-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try rotate(to: contents)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "..data/token")
    }

    /// Writes `contents` into a new versioned directory and swaps `..data` to it with one rename.
    func rotate(to contents: String) throws {
        let version = "..\(UUID().uuidString)"
        let versioned = directory.appendingPathComponent(version)
        try FileManager.default.createDirectory(at: versioned, withIntermediateDirectories: true)
        try contents.write(to: versioned.appendingPathComponent("token"), atomically: false, encoding: .utf8)
        let staging = directory.appendingPathComponent("..data_tmp").path
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.createSymbolicLink(atPath: staging, withDestinationPath: version)
        guard rename(staging, directory.appendingPathComponent("..data").path) == 0 else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}
