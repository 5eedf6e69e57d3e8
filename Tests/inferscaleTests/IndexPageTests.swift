import Foundation
import Testing

/// `simulate --out` and `tune --out` write index.html; a real headless Chromium (Debian's
/// chromium-headless-shell, installed by `make test`) renders it: the screenshot is not blank,
/// and the tables the browser built hold report.json's figures.
@Suite struct IndexPageTests {
    static let browsers = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"]

    static func browser() throws -> String {
        guard let path = browsers.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure("no headless Chromium at \(browsers.joined(separator: " or ")): run `make test-deps` (apt-get install chromium-headless-shell)")
        }
        return path
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// Runs the browser on `page` off the test's thread, with a generous deadline (CI is loaded).
    static func chromium(_ arguments: [String], page: String) async throws -> Data {
        let executable = try browser()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        return try await CLIRunner.offThePool {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: executable)
            // No sandbox: tests run as root in CI containers, where Chromium's sandbox refuses to start.
            p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(profile)",
                           "--window-size=1280,900"] + arguments + [URL(fileURLWithPath: page).absoluteString]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = DispatchTime.now() + .seconds(120)
            let data = out.fileHandleForReading.readDataToEndOfFile()
            while p.isRunning {
                if DispatchTime.now() > deadline {
                    p.terminate()
                    throw Failure("chromium did not finish within 120 s")
                }
                usleep(20_000)
            }
            guard p.terminationStatus == 0 else { throw Failure("chromium exited with \(p.terminationStatus)") }
            return data
        }
    }

    /// Cells of the table `id` in the DOM the browser built: per row, data-key → text.
    static func rows(_ dom: String, table id: String) -> [[String: String]] {
        guard let start = dom.range(of: "<table id=\"\(id)\">"), let end = dom.range(of: "</table>", range: start.upperBound..<dom.endIndex) else { return [] }
        let body = dom[start.upperBound..<end.lowerBound]
        return body.components(separatedBy: "<tr>").dropFirst(2).map { row in
            var cells: [String: String] = [:]
            for part in row.components(separatedBy: "<td data-key=\"").dropFirst() {
                guard let q = part.firstIndex(of: "\""), let gt = part.firstIndex(of: ">"), let lt = part.range(of: "</td>") else { continue }
                cells[String(part[..<q])] = String(part[part.index(after: gt)..<lt.lowerBound])
                    .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&amp;", with: "&")
            }
            return cells
        }
    }

    /// Whether `text` as the page shows it (`12345`, `1.23s`, `450ms`, `4.2%`, `0.52×`, `yes`) is
    /// `value` to the precision shown.
    static func shows(_ text: String, _ value: Any?) -> Bool {
        if let s = value as? String { return text == s }
        // Only meetsObjective shows yes or no; numbers would also cast to Bool.
        if text == "yes" || text == "no" { return (value as? Bool) == (text == "yes") }
        guard let v = (value as? NSNumber)?.doubleValue else { return text == "-" }
        var t = text, scale = 1.0
        if t.hasSuffix("ms") { t.removeLast(2); scale = 0.001 }
        else if t.hasSuffix("%") { t.removeLast(); scale = 0.01 }
        else if t.hasSuffix("s") || t.hasSuffix("×") { t.removeLast() }
        guard let shown = Double(t) else { return false }
        let decimals = t.split(separator: ".").dropFirst().first?.count ?? 0
        let half = 0.5 * pow(10, -Double(decimals)) * scale
        return abs(shown * scale - v) <= half + 1e-9
    }

    static func lookup(_ key: String, in object: [String: Any]) -> Any? {
        if key.hasPrefix("parameters.") { return (object["parameters"] as? [String: Any])?[String(key.dropFirst(11))] }
        return object[key]
    }

    static func checkScreenshot(of page: String) async throws {
        let shot = FileManager.default.temporaryDirectory.appendingPathComponent("shot-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: shot) }
        _ = try await chromium(["--screenshot=\(shot)"], page: page)
        let image = try PNGImage([UInt8](try Data(contentsOf: URL(fileURLWithPath: shot))))
        #expect(image.width == 1280 && image.height == 900)
        let (covered, colours) = image.coverage()
        // Text, table rules and the chart's coloured lines: a blank or unstyled page has neither.
        #expect(covered > 0.02, "only \(covered * 100) % of the screenshot differs from the background")
        #expect(colours > 20, "\(colours) colours")
    }

    @Test func simulatePageRendersWithReportFigures() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await CLIRunner.runDetached(["simulate", "--rules", SimulateCommandTests.rules, "--to", "300", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOfFile: "\(out)/index.html", encoding: .utf8)
        for fetching in ["<script", "src=", "<link", "@import", "url("] { #expect(!html.contains(fetching), "\(fetching): the page must load nothing") }
        #expect(html.contains("<svg") && html.contains("min</text>"), "charts inline, time ticks with units")

        let dom = String(decoding: try await Self.chromium(["--dump-dom"], page: "\(out)/index.html"), as: UTF8.self)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/report.json"))) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        let table = Self.rows(dom, table: "results")
        // kpa, hpa and every rule of rules/ (the objective policy among them): at least five rows.
        #expect(table.count == results.count && table.count >= 5)
        for (row, result) in zip(table, results) {
            #expect(row.count == 17)
            for (key, text) in row {
                #expect(Self.shows(text, Self.lookup(key, in: result)), "\(result["policy"] ?? "?") \(key): page \(text), report.json \(result[key] ?? "nil")")
            }
        }
        try await Self.checkScreenshot(of: "\(out)/index.html")
    }

    @Test func tunePageRendersWithReportFigures() async throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("tune-page-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await CLIRunner.runDetached(["tune", "--family", "hpa", "--to", "240", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        for file in ["index.html", "report.json", "frontier.svg"] { #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "\(file)") }
        let dom = String(decoding: try await Self.chromium(["--dump-dom"], page: "\(out)/index.html"), as: UTF8.self)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/report.json"))) as? [String: Any])
        let family = try #require((json["families"] as? [[String: Any]])?.first)
        let variants = try #require(family["variants"] as? [[String: Any]])
        let table = Self.rows(dom, table: "variants-hpa")
        #expect(table.count == variants.count && table.count == 25)
        for (row, variant) in zip(table, variants) {
            for (key, text) in row {
                #expect(Self.shows(text, Self.lookup(key, in: variant)), "\(variant["name"] ?? "?") \(key): page \(text), report.json \(Self.lookup(key, in: variant) ?? "nil")")
            }
        }
        let frontier = Self.rows(dom, table: "frontier-hpa").compactMap { $0["name"] }
        #expect(frontier == family["frontier"] as? [String])
        try await Self.checkScreenshot(of: "\(out)/index.html")
    }
}
