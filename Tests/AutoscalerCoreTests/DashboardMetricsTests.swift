import Foundation
import Testing
import AutoscalerCore

/// The shipped monitoring (deploy/grafana: dashboards, ServiceMonitor, alert rules) and
/// docs/metrics.md must name only metrics inferscale exports, and every exported metric must be
/// documented. `MetricCatalog` is the single source of those names.
@Suite struct DashboardMetricsTests {
    /// The repository root: this file is Tests/AutoscalerTests/DashboardMetricsTests.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every token of the form `inferscale_[a-z0-9_]+` in `text`, in order of appearance.
    static func metricTokens(in text: String) -> [String] {
        let prefix = Array("inferscale_".utf8)
        let bytes = Array(text.utf8)
        var tokens: [String] = []
        var i = 0
        while i + prefix.count < bytes.count {
            guard bytes[i] == prefix[0], Array(bytes[i..<(i + prefix.count)]) == prefix else {
                i += 1
                continue
            }
            var end = i + prefix.count
            while end < bytes.count, isTokenByte(bytes[end]) { end += 1 }
            if end > i + prefix.count {
                tokens.append(String(decoding: bytes[i..<end], as: UTF8.self))
            }
            i = end
        }
        return tokens
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    /// Regular files below `directory` (recursively), as paths relative to the repository root, sorted.
    static func files(under directory: String) throws -> [String] {
        let base = root.appendingPathComponent(directory).resolvingSymlinksInPath().standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var paths: [String] = []
        for case let url as URL in walker {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let below = url.resolvingSymlinksInPath().standardizedFileURL.path.dropFirst(base.path.count + 1)
            paths.append(directory + "/" + below)
        }
        return paths.sorted()
    }

    static func read(_ relativePath: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }

    @Test func dashboardsAndAlertsUseOnlyExportedMetrics() throws {
        let known = MetricCatalog.exportedSeriesNames
        let paths = try Self.files(under: "deploy/grafana")
        #expect(paths.contains { $0.hasSuffix(".json") }, "no dashboards found under deploy/grafana (looked in \(Self.root.path))")
        var used: Set<String> = []
        for path in paths {
            let text = try Self.read(path)
            if path.hasSuffix(".json") {
                do {
                    _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
                } catch {
                    Issue.record("\(path) is not valid JSON: \(error)")
                }
            }
            var reported: Set<String> = []
            for name in Self.metricTokens(in: text) where !known.contains(name) && reported.insert(name).inserted {
                Issue.record("\(path) uses \(name), which inferscale does not export (not in MetricCatalog.exportedSeriesNames)")
            }
            used.formUnion(Self.metricTokens(in: text))
        }
        #expect(!used.isEmpty, "deploy/grafana names no inferscale metric at all")
    }

    @Test func everyCatalogMetricIsDocumented() throws {
        let doc = try Self.read("docs/metrics.md")
        let named = Set(Self.metricTokens(in: doc))
        for entry in MetricCatalog.entries where !named.contains(entry.name) {
            Issue.record("docs/metrics.md does not list \(entry.name) (\(entry.type)): add it to the metric table")
        }
        for name in named.subtracting(MetricCatalog.exportedSeriesNames).sorted() {
            Issue.record("docs/metrics.md names \(name), which inferscale does not export (not in MetricCatalog.exportedSeriesNames)")
        }
    }

    /// deploy/base builds the rules ConfigMap from rules/Kustomization, whose list of files
    /// kustomize does not glob: a rule file missing from it would silently not be deployed.
    @Test func rulesKustomizationListsEveryRuleFile() throws {
        let kustomization = try Self.read("rules/Kustomization")
        let listed = Set(kustomization.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("- ") else { return nil }
            let item = trimmed.dropFirst(2).trimmingCharacters(in: .whitespaces)
            return item.hasSuffix(".yaml") || item.hasSuffix(".yml") ? item : nil
        })
        let onDisk = Set(try Self.files(under: "rules")
            .map { String($0.dropFirst("rules/".count)) }
            .filter { !$0.contains("/") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) })
        #expect(!onDisk.isEmpty)
        for missing in onDisk.subtracting(listed).sorted() {
            Issue.record("rules/\(missing) is not listed under configMapGenerator files in rules/Kustomization, so it is not deployed")
        }
        for stale in listed.subtracting(onDisk).sorted() {
            Issue.record("rules/Kustomization lists \(stale), which is not a file in rules/")
        }
    }

    @Test func tokenizerFindsWholeNames() {
        #expect(Self.metricTokens(in: #"rate(inferscale_decisions_total{reason="bounds"}[5m]) / inferscale_leader"#)
            == ["inferscale_decisions_total", "inferscale_leader"])
        #expect(Self.metricTokens(in: "histogram_quantile(0.9, inferscale_tick_duration_seconds_bucket)")
            == ["inferscale_tick_duration_seconds_bucket"])
        #expect(Self.metricTokens(in: "the inferscale_ prefix; inferscale-system").isEmpty)
    }
}
