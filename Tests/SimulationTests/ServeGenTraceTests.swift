import Foundation
import PodTestKit
import Testing
@testable import Simulation

/// ServeGen's per-client rate models (`--format servegen`): reading the client files, drawing
/// arrivals from them, scaling, lengths, errors.
@Suite struct ServeGenTraceTests {
    /// The hand-made two-client model in TestData/traces/servegen-two-clients (600 s windows):
    /// client 1: Gamma at 0.5/s, Weibull at 1/s, empty at 0, Exponential at 0.25/s;
    /// client 2: Gamma (shape 0.25, CV 2) at 2/s, empty at 0, empty at 0.1/s, Weibull at 1.5/s.
    static func folder() throws -> String { try Fixtures.traceURL("servegen-two-clients").path }

    /// Lengths every test draws from: two requests, so every drawn pair is one of them.
    static func lengths() throws -> TokenLengthSample {
        try TokenLengthSample(trace: TraceReader.parse("time_s,prompt_tokens,output_tokens\n0,100,10\n1,2000,300\n"), name: "two")
    }

    static func draw(_ configuration: ServeGenConfiguration, clients: [ServeGenClient]? = nil) throws -> (trace: Trace, span: ServeGenArrivals.Span) {
        try ServeGenArrivals.generate(clients: clients ?? ServeGenReader.clients(at: folder()), configuration: configuration,
                                      lengths: lengths(), source: "test")
    }

    static func count(_ trace: Trace, in range: Range<Double>) -> Int { trace.requests.filter { range.contains($0.time) }.count }

    @Test func readsEveryClientFileOfAFolder() throws {
        let clients = try ServeGenReader.clients(at: Self.folder())
        #expect(clients.map(\.name) == ["1", "2"])
        #expect(clients[0].windows.map(\.start) == [0, 600, 1200, 1800])
        #expect(clients[0].windows[0] == ServeGenWindow(start: 0, rate: 0.5, cv: 1.2, fit: .gamma(shape: 0.7, scale: 2.857142857142857)))
        #expect(clients[0].windows[1].fit == .weibull(shape: 1.2, scale: 1.06))
        #expect(clients[0].windows[2].fit == InterArrivalFit.unfitted && clients[0].windows[2].rate == 0)
        #expect(clients[0].windows[3].fit == .exponential)
        #expect(clients[1].windows[2] == ServeGenWindow(start: 1200, rate: 0.1, cv: 0, fit: .unfitted))
        // One file alone is one client, named from its file name.
        let one = try ServeGenReader.clients(at: Self.folder() + "/chunk-2-trace.csv")
        #expect(one == [clients[1]])
    }

    /// A fitted window draws ⌊rate × 600⌋ arrivals (here whole numbers), the empty one at
    /// 0.1/s a Poisson process, the empty one at rate 0 none.
    @Test func fileRatesGiveEachWindowItsCount() throws {
        let (trace, span) = try Self.draw(ServeGenConfiguration(startSeconds: 0, durationSeconds: 2400, rateScale: .factor(1)))
        #expect(span.clients == 2 && span.start == 0 && span.end == 2400 && span.factor == 1)
        #expect(abs(span.meanRate - 3210.0 / 2400) < 1e-9)
        #expect(trace.duration == 2400)
        #expect(Self.count(trace, in: 0..<600) == 300 + 1200)
        #expect(Self.count(trace, in: 600..<1200) == 600)
        let poisson = Self.count(trace, in: 1200..<1800)  // mean 60, sd 7.7
        #expect((30...95).contains(poisson), "\(poisson)")
        #expect(Self.count(trace, in: 1800..<2400) == 150 + 900)
        #expect(trace.requests.map(\.time) == trace.requests.map(\.time).sorted())
        #expect(trace.requests.allSatisfy { ($0.promptTokens, $0.outputTokens) == (100, 10) || ($0.promptTokens, $0.outputTokens) == (2000, 300) })
        #expect(Set(trace.requests.map(\.promptTokens)) == [100, 2000])
    }

    /// Over many windows the drawn mean is the file's, for a client far below one arrival per
    /// window (0.78 expected: ServeGen's ⌈⌉-then-cut draws none) and for the Poisson fallback.
    @Test(arguments: [(0.0013, InterArrivalFit.gamma(shape: 0.05, scale: 15000)), (0.05, InterArrivalFit.unfitted), (0.2, .weibull(shape: 0.6, scale: 3))])
    func meanRateOfManyWindowsIsTheFiles(rate: Double, fit: InterArrivalFit) throws {
        let windows = 2000
        let client = ServeGenClient(name: "many", windows: (0..<windows).map { ServeGenWindow(start: Double($0) * 600, rate: rate, cv: 1, fit: fit) })
        let (trace, _) = try Self.draw(ServeGenConfiguration(startSeconds: 0, durationSeconds: Double(windows) * 600, rateScale: .factor(1)),
                                       clients: [client])
        let drawn = Double(trace.requests.count) / (Double(windows) * 600)
        #expect(abs(drawn / rate - 1) < 0.05, "drawn \(drawn)/s, file \(rate)/s")
    }

    /// The fit's shape is the burstiness: gaps of a Gamma window with shape 0.25 have a CV near
    /// 2, of an exponential one near 1.
    @Test(arguments: [(InterArrivalFit.gamma(shape: 0.25, scale: 2), 2.0), (.exponential, 1.0), (.weibull(shape: 1, scale: 0.5), 1.0)])
    func gapsKeepTheFitsVariation(fit: InterArrivalFit, cv: Double) throws {
        let client = ServeGenClient(name: "one", windows: [ServeGenWindow(start: 0, rate: 5, cv: cv, fit: fit)])
        let times = try Self.draw(ServeGenConfiguration(startSeconds: 0, durationSeconds: 600, rateScale: .factor(1)), clients: [client]).trace.requests.map(\.time)
        #expect(times.count == 3000)
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = sqrt(gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count))
        #expect(abs(sd / mean - cv) < 0.2 * cv, "CV \(sd / mean), fit's \(cv)")
    }

    @Test func sameSeedSameArrivalsAndAClientDrawsAloneAsAmongOthers() throws {
        let configuration = ServeGenConfiguration(startSeconds: 0, durationSeconds: 2400, rateScale: .factor(1), seed: 7)
        let a = try Self.draw(configuration).trace, b = try Self.draw(configuration).trace
        #expect(a == b)
        var other = configuration
        other.seed = 8
        #expect(try Self.draw(other).trace.requests.map(\.time) != a.requests.map(\.time))
        // Client 2 alone draws the arrivals it drew beside client 1 (its draws are keyed by its name).
        let clients = try ServeGenReader.clients(at: Self.folder())
        let alone = try Self.draw(configuration, clients: [clients[1]]).trace.requests.map(\.time)
        let both = Set(a.requests.map(\.time))
        #expect(alone.count > 1200 + 900 && alone.count < a.requests.count)
        #expect(alone.allSatisfy { both.contains($0) })
    }

    @Test func rateScaleMultipliesAndMeanRateChoosesTheFactor() throws {
        let half = try Self.draw(ServeGenConfiguration(startSeconds: 0, durationSeconds: 600, rateScale: .factor(0.5))).trace
        #expect(half.requests.count == 150 + 600)
        // The file's expected mean over 0–2400 s is 3210 / 2400 requests/s; asking twice that doubles every rate.
        let (doubled, span) = try Self.draw(ServeGenConfiguration(startSeconds: 0, durationSeconds: 2400, rateScale: .meanRate(2 * 3210.0 / 2400)))
        #expect(abs(span.factor - 2) < 1e-9)
        #expect(abs(Self.count(doubled, in: 0..<600) - 3000) <= 1)
        #expect(abs(Self.count(doubled, in: 600..<1200) - 1200) <= 1)
        // A few requests/s from the file's 1.3: the drawn mean lies near the asked one.
        let (few, fewSpan) = try Self.draw(ServeGenConfiguration(startSeconds: 0, durationSeconds: 2400, rateScale: .meanRate(0.5)))
        #expect(abs(fewSpan.meanRate - 0.5) < 1e-9)
        #expect(abs(Double(few.requests.count) / 2400 / 0.5 - 1) < 0.1, "\(few.requests.count)")
    }

    @Test func theSpanCutsAndShiftsToItsStart() throws {
        let (trace, span) = try Self.draw(ServeGenConfiguration(startSeconds: 600, durationSeconds: 600, rateScale: .factor(1)))
        #expect(span.start == 600 && span.end == 1200)
        #expect(trace.requests.count == 600 && trace.duration == 600)
        #expect(trace.requests.allSatisfy { $0.time >= 0 && $0.time < 600 })
        // A span in no window's traffic cannot be scaled to a mean, and one past the data is refused.
        #expect(throws: TraceError.self) { try Self.draw(ServeGenConfiguration(startSeconds: 1200, durationSeconds: 600, rateScale: .meanRate(5)),
                                                         clients: [ServeGenClient(name: "idle", windows: [ServeGenWindow(start: 1200, rate: 0, cv: 0, fit: .unfitted)])]) }
        #expect(throws: TraceError.self) { try Self.draw(ServeGenConfiguration(startSeconds: 2400, durationSeconds: 600)) }
    }

    @Test func tooManyRequestsIsAnErrorThatNamesAScaleThatFits() throws {
        var configuration = ServeGenConfiguration(startSeconds: 0, durationSeconds: 2400, rateScale: .factor(1))
        configuration.maximumRequests = 1000
        #expect { try Self.draw(configuration) } throws: { error in
            "\(error)".contains("more than the 1000 one replay holds") && "\(error)".contains("--rate-scale 0.28")
        }
    }

    @Test func malformedRowsAreErrorsWithTheirLine() {
        let cases: [(String, Int, String)] = [
            ("0,1,1,Gamma,1,1\n600,1,1,Gamma,1\n", 2, "expected 6 fields (start,rate,cv,distribution,parameter1,parameter2), found 5"),
            ("0,1,1,Gama,1,1\n", 1, "distribution must be Gamma, Weibull, Exponential or empty, found 'Gama'"),
            ("0,1,1,Gamma,1,1\n600,x,1,Gamma,1,1\n", 2, "rate (requests/s) must be a number ≥ 0, found 'x'"),
            ("0,1,1,Weibull,0,1\n", 1, "Weibull shape and scale must be > 0, found 0 and 1"),
            ("0,1,1,Gamma,1,1\n300,1,1,Gamma,1,1\n", 2, "window start 300 s is less than 600 s after the previous row's 0 s; rows must be one window each, in time order"),
        ]
        for (text, line, message) in cases {
            #expect(throws: TraceError(file: "c.csv", line: line, message: message)) { try ServeGenClient.parse(text, name: "c", file: "c.csv") }
        }
        #expect(throws: TraceError(file: "c.csv", line: 0, message: "the client file has no rows")) { try ServeGenClient.parse("\n", name: "c", file: "c.csv") }
    }

    @Test func aBundleOrAFolderOfFoldersIsRefusedWithWhatToDo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("servegen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("language/m-mid"), withIntermediateDirectories: true)
        let bundle = root.appendingPathComponent("bundle.bin")
        try Data([0x1F, 0x8B, 0x08, 0x00]).write(to: bundle)  // gzip's magic, whatever the name
        #expect { try ServeGenReader.clients(at: bundle.path) } throws: { "\($0)".contains("extract it first with tar -xzf \(bundle.path) and give --trace the file or folder it holds") }
        #expect { try TraceReader.read(path: bundle.path) } throws: { "\($0)".contains("tar -xzf") }
        #expect { try ServeGenReader.clients(at: root.appendingPathComponent("language").path) } throws: {
            "\($0)".contains("no ServeGen client files (chunk-<client>-trace.csv) in this folder; it holds the folders m-mid: give one of them")
        }
    }

    @Test func isDetectedAndReadWithTheDefaults() throws {
        #expect(TraceFormat.detect(firstLine: "0,0,0,,0,0") == .servegen)
        #expect(TraceFormat.detect(firstLine: "600,0.39,0.91,Gamma,1.19,2.07") == .servegen)
        #expect(TraceFormat.detect(firstLine: "a,b,c,d,e,f") == nil)
        #expect(try TraceReader.detect(path: Self.folder()) == .servegen)
        #expect(try TraceReader.detect(path: Self.folder() + "/chunk-1-trace.csv") == .servegen)
        // The defaults: from the first window for 3 h (the data has 40 min), a mean of 5/s, the bundled lengths.
        let trace = try TraceReader.read(path: Self.folder())
        #expect(trace.duration == 3 * 3600 && trace.hasTokens)
        let drawnRate = Double(trace.requests.count) / 10_800
        #expect(abs(drawnRate / 5 - 1) < 0.1, "\(drawnRate)")
        #expect(trace.requests.allSatisfy { $0.time < 2400 })
    }

    @Test func lengthsNeedATraceWithTokens() throws {
        let service = try TraceReader.parse("time_s,service_s\n0,1\n")
        #expect { try TokenLengthSample(trace: service, name: "s.csv") } throws: { "\($0)".hasPrefix("s.csv: this trace has no token counts") }
    }
}

/// ServeGen's released client files (../shared/traces/servegen, tar.gz bundles extracted here by
/// the test): every row of every model parses, and the aggregates match the README's statistics.
extension PublicTraceTests {
    @Test(arguments: [("language-m-large", "language/m-large", 162, 2016, 195.84), ("language-m-mid", "language/m-mid", 109, 2016, 1790.06),
                      ("language-m-small", "language/m-small", 43, 2016, 1174.40), ("multimodal-mm-image", "multimodal/mm-image", 35, 144, 9.47),
                      ("reason-deepseek-r1", "reason/deepseek-r1", 73, 144, 16.01)])
    func readsEveryServeGenSample(bundle: String, folder: String, clients: Int, windows: Int, meanRate: Double) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("servegen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/tar")
        tar.arguments = ["-xzf", SharedData.root.appendingPathComponent("traces/servegen/\(bundle)-client-traces.tar.gz").path, "-C", root.path]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        let read = try ServeGenReader.clients(at: root.appendingPathComponent(folder).path)
        #expect(read.count == clients)
        #expect(read.allSatisfy { $0.windows.count == windows })
        let total = read.reduce(0.0) { sum, c in c.windows.reduce(sum) { $0 + $1.rate } }
        #expect(abs(total / Double(windows) - meanRate) < 0.01, "\(total / Double(windows))")
        // One hour from the first window at the default mean of 5 requests/s.
        var configuration = ServeGenConfiguration(durationSeconds: 3600)
        configuration.seed = 3
        let lengths = try TokenLengthSample(trace: BundledTrace.read(), name: "bundled")
        let drawn = try ServeGenArrivals.generate(clients: read, configuration: configuration, lengths: lengths, source: folder).trace
        #expect(abs(Double(drawn.requests.count) / 3600 / 5 - 1) < 0.1, "\(drawn.requests.count)")
    }
}
