import Foundation
import Testing

/// The layers of Package.swift hold in the sources, and docs/architecture.md lists the targets that exist.
/// Reads files only: it needs no other module, so it fails for a layering mistake before anything else builds.
@Suite struct LayerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The pure core: decisions, rules, parsing, the loop and the simulation. They may do file I/O (rule files,
    /// the decision log, traces) but never speak a network protocol.
    static let coreModules = ["Scaling", "Rules", "Exposition", "RuntimeSignals", "AutoscalerCore", "Simulation"]
    /// What a core module must not import: the network stacks and the cluster client.
    static let forbidden = [
        "NIO", "NIOCore", "NIOPosix", "NIOHTTP1", "NIOHTTP2", "NIOWebSocket", "NIOSSL", "NIOConcurrencyHelpers", "NIOFoundationCompat",
        "AsyncHTTPClient", "Hummingbird", "HummingbirdCore", "HummingbirdWebSocket", "WSCore", "Kubernetes", "Scraping",
        "RemoteWrite", "ClusterAdapters", "GPU", "ServiceLifecycle", "GRPCCore", "GRPCNIOTransportHTTP2",
    ]

    static func swiftFiles(under directory: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }.sorted { $0.path < $1.path }
    }

    /// Module names imported by `text` (`import X`, `@testable import X`, `import struct X.Y`).
    static func imports(in text: String) -> Set<String> {
        var modules: Set<String> = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var words = line.split(separator: " ").map(String.init)
            while let first = words.first, first.hasPrefix("@") || ["public", "internal", "package", "private"].contains(first) {
                words.removeFirst()
            }
            guard words.first == "import", words.count >= 2 else { continue }
            let name = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"].contains(words[1]) && words.count >= 3
                ? words[2] : words[1]
            modules.insert(String(name.split(separator: ".").first ?? ""))
        }
        return modules
    }

    @Test(arguments: coreModules)
    func coreModuleImportsNoNetworkStack(module: String) throws {
        let files = Self.swiftFiles(under: Self.root.appendingPathComponent("Sources/\(module)"))
        #expect(!files.isEmpty, "Sources/\(module) has no Swift files")
        for file in files {
            let bad = Self.imports(in: try String(contentsOf: file, encoding: .utf8)).intersection(Self.forbidden)
            #expect(bad.isEmpty, "\(file.path.dropFirst(Self.root.path.count + 1)) imports \(bad.sorted())")
        }
    }

    /// The quoted names in the declaration of target `name` in Package.swift (its dependencies, products and
    /// packages among them), from `.target(name: "…"` to its closing parenthesis.
    static func declaredNames(ofTarget name: String) throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var rest = Substring(text)
        while let open = rest.range(of: ".target(") {
            let body = rest[open.upperBound...]
            rest = body
            guard body.drop(while: \.isWhitespace).hasPrefix("name: \"\(name)\"") else { continue }
            var depth = 1, names: Set<String> = [], quoted: String?
            for c in body {
                if let q = quoted {
                    if c == "\"" { names.insert(q); quoted = nil } else { quoted = q + String(c) }
                } else if c == "\"" {
                    quoted = ""
                } else if c == "(" {
                    depth += 1
                } else if c == ")" {
                    depth -= 1
                    if depth == 0 { break }
                }
            }
            return names
        }
        return []
    }

    /// A core module may not even link a network stack: Package.swift gives it none (an unused dependency would
    /// still put NIO, async-http-client or the cluster client into every binary that uses the core).
    @Test(arguments: coreModules)
    func coreModuleDependsOnNoNetworkStack(module: String) throws {
        let names = try Self.declaredNames(ofTarget: module)
        #expect(names.contains(module), "could not read the declaration of \(module) in Package.swift")
        let bad = names.intersection(Self.forbidden + ["async-http-client", "swift-nio", "swift-nio-ssl", "swift-service-lifecycle", "grpc-swift-2"])
        #expect(bad.isEmpty, "Package.swift gives \(module) \(bad.sorted())")
    }

    /// Every target Package.swift declares, by name.
    static func packageTargets() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var names: Set<String> = []
        for kind in [".target(", ".executableTarget(", ".systemLibrary(", ".testTarget("] {
            var rest = Substring(text)
            while let start = rest.range(of: kind) {
                rest = rest[start.upperBound...]
                guard let open = rest.range(of: "name: \"") else { break }
                let afterOpen = rest[open.upperBound...]
                guard let close = afterOpen.firstIndex(of: "\"") else { break }
                if kind != ".testTarget(" { names.insert(String(afterOpen[..<close])) }
            }
        }
        return names
    }

    /// The modules docs/architecture.md's module table lists (the table headed `| module | layer |`): the first
    /// cell of each row, in backticks.
    static func documentedModules() throws -> Set<String> {
        let text = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("| module | layer |") }) else { return [] }
        var names: Set<String> = []
        for line in lines[header...].prefix(while: { $0.hasPrefix("|") }) where line.hasPrefix("| `") {
            let cell = line.dropFirst(2).prefix { $0 != "|" }
            for part in cell.split(separator: "`") where !part.trimmingCharacters(in: .whitespaces).isEmpty && !part.contains(",") {
                names.insert(String(part))
            }
        }
        return names
    }

    @Test func architectureDocListsEveryTarget() throws {
        let targets = try Self.packageTargets()
        let documented = try Self.documentedModules()
        #expect(targets.count > 10, "could not read the targets of Package.swift")
        #expect(targets.subtracting(documented).isEmpty, "in Package.swift, not in docs/architecture.md: \(targets.subtracting(documented).sorted())")
        #expect(documented.subtracting(targets).isEmpty, "in docs/architecture.md, not in Package.swift: \(documented.subtracting(targets).sorted())")
    }

    /// Sources/ has one folder per target and no folder Package.swift does not know.
    @Test func sourcesFoldersAreTargets() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path)
        let targets = try Self.packageTargets()
        // The benchmark and fuzz executables keep folder names InferscaleBenchmarks and InferscaleFuzz (custom paths).
        let expected = targets.subtracting(["inferscale-bench", "inferscale-fuzz"]).union(["InferscaleBenchmarks", "InferscaleFuzz"])
        #expect(Set(folders) == expected)
    }

    /// The reader above sees what an adapter links, so a core module given the same would fail.
    @Test func packageReaderSeesTheAdaptersNetworkStack() throws {
        let adapters = try Self.declaredNames(ofTarget: "ClusterAdapters")
        #expect(adapters.isSuperset(of: ["Kubernetes", "AsyncHTTPClient", "async-http-client", "NIOCore", "ServiceLifecycle"]), "\(adapters.sorted())")
        let exposition = try Self.declaredNames(ofTarget: "Exposition")  // declared over several lines
        #expect(exposition == ["Exposition", "SwiftProtobuf", "swift-protobuf", "Protos/stat.proto"], "\(exposition.sorted())")
    }

    @Test func importScannerReadsTheForms() {
        #expect(Self.imports(in: "import NIOCore\n@testable import Foo\nimport struct Bar.Baz\n// import Nope") == ["NIOCore", "Foo", "Bar"])
    }
}
