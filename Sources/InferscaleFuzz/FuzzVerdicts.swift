import Exposition
import Foundation

/// `inferscale-fuzz --verdicts text PATH...`: for each input (directories read one level deep, sorted), whether
/// inferscale's Prometheus text parser accepts it, as `PATH<TAB>ok` or `PATH<TAB>error<TAB>MESSAGE` — the same
/// lines `.ci/expfmt` prints for Go's expfmt, so `make fuzz-diff` can compare the two verdict by verdict.
enum FuzzVerdicts {
    static func print(format: ExpositionFormat, paths: [String]) throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            if isDirectory.boolValue {
                for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                    let full = (path as NSString).appendingPathComponent(name)
                    var dir: ObjCBool = false
                    if FileManager.default.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue { files.append(full) }
                }
            } else {
                files.append(path)
            }
        }
        var output = ""
        for file in files.sorted() {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
            var parser = ExpositionParser(format: format)
            do {
                _ = try parser.parse(bytes)
                output += "\(file)\tok\n"
            } catch {
                output += "\(file)\terror\t\("\(error)".replacingOccurrences(of: "\n", with: " "))\n"
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
