import Foundation
import Rules
import Scaling
import Testing
@testable import Simulation

/// `inferscale tune`'s core: the frontier, the cheapest variant meeting the objective, the
/// families' variants as rule files, and a report that does not depend on the order replays finish.
@Suite struct TuneTests {
    static let profile = SimulatorTests.profile

    /// Static provisioning (`--family fixed`) with the given counts: more replicas cost more and
    /// queue less, so the frontier and the cheapest count meeting the objective can be told beforehand.
    static func fixedCounts(counts: [Int]) -> FixedFamily {
        var grid = FixedFamily.Grid()
        grid.counts = counts
        return FixedFamily(grid: grid)
    }

    static func base() -> SimulationConfiguration {
        var c = SimulationConfiguration(trace: SimulatorTests.stepTrace(), profile: profile, policies: [])
        c.baselineConcurrencyTarget = 2
        // Every request takes 1 s: an objective of 2 s is missed only by those that queue.
        c.ttftObjectiveSeconds = 2
        return c
    }

    @Test func frontierOfHandPlacedPoints() {
        // (cost, share): 0 (10, 0.5); 1 (20, 0.2); 2 (20, 0.3) costs as much as 1 and is later;
        // 3 (30, 0.2) costs more for the same share; 4 (40, 0.0); 5 (5, 0.9) the cheapest.
        let cost = [10.0, 20, 20, 30, 40, 5]
        let share = [0.5, 0.2, 0.3, 0.2, 0.0, 0.9]
        #expect(ParetoFrontier.indices(cost: cost, share: share) == [5, 0, 1, 4])
        // Equal points: the first is kept.
        #expect(ParetoFrontier.indices(cost: [1, 1], share: [0.1, 0.1]) == [0])
        #expect(ParetoFrontier.indices(cost: [], share: []) == [])
    }

    @Test func toyFamilyFrontierAndCheapestMeetingTheObjective() async throws {
        var c = TuneConfiguration(base: Self.base(), families: [Self.fixedCounts(counts: [12, 1, 2, 4, 6, 8])])
        c.objectiveQuantile = 0.95
        let report = try await Tuner.run(c)
        let family = try #require(report.families.first)
        #expect(family.entries.map(\.result.policy) == ["fixed-12", "fixed-1", "fixed-2", "fixed-4", "fixed-6", "fixed-8"])
        // Each variant's figures are what a plain replay of that count gives.
        for e in family.entries {
            guard case .fixed(let n) = e.variant.policy else { Issue.record("not a fixed count"); continue }
            var alone = Self.base()
            alone.policies = [.fixed(n)]
            alone.keepSeries = false
            let direct = await Simulator.run(alone).results[0]
            #expect(direct.replicaSeconds == e.result.replicaSeconds && direct.overObjectiveShare == e.result.overObjectiveShare)
        }
        // The frontier: by cost, each point later than none cheaper; computed here from the figures.
        let rs = family.entries.map(\.result)
        let byCost = rs.indices.sorted { rs[$0].replicaSeconds < rs[$1].replicaSeconds }
        var expected: [Int] = []
        var best = Double.infinity
        for i in byCost where rs[i].overObjectiveShare < best {
            expected.append(i)
            best = rs[i].overObjectiveShare
        }
        #expect(family.frontier == expected)
        #expect(family.frontier.first == 1, "one replica is the cheapest")
        // 1 replica (4 slots) cannot hold the 20 requests/s step; 12 hold everything at once.
        #expect(rs[1].overObjectiveShare > 0.05)
        #expect(rs[0].overObjectiveShare <= 0.05)
        let cheapest = try #require(family.cheapestMeetingObjective)
        let meeting = rs.indices.filter { rs[$0].overObjectiveShare <= 0.05 }
        #expect(cheapest == meeting.min { rs[$0].replicaSeconds < rs[$1].replicaSeconds })
        #expect(family.lowestShare == family.frontier.last)
    }

    @Test func kpaFamilyAtKnativeDefaultsIsSimulatesKPA() async throws {
        var grid = KPAFamily.Grid()
        grid.targetFactors = [1, 2]
        grid.scaleDownDelays = [0, 300]
        grid.windows = [60]
        let report = try await Tuner.run(TuneConfiguration(base: Self.base(), families: [KPAFamily(grid: grid)]))
        let entries = try #require(report.families.first?.entries)
        #expect(entries.map(\.variant.name) == ["kpa-t2-d0-w60", "kpa-t2-d300-w60", "kpa-t4-d0-w60", "kpa-t4-d300-w60"])
        var alone = Self.base()
        alone.policies = [.kpa]
        alone.keepSeries = false
        var kpa = await Simulator.run(alone).results[0]
        kpa.policy = entries[0].result.policy
        kpa.replicaSecondsVsKPA = nil
        kpa.ttftP99VsKPA = nil
        #expect(entries[0].result == kpa, "the rule the kpa family writes is Knative's KPA")
        // A scale-down delay keeps replicas longer: it costs more.
        #expect(entries[1].result.replicaSeconds > entries[0].result.replicaSeconds)
    }

    @Test func everyVariantsRuleFileParsesToTheReplayedRuleAndLintsClean() throws {
        let rules = try RuleFiles.load(paths: [Self.repositoryRules])
        let context = TuneContext(profile: .llama70B)
        let families: [any TuneFamily] = [KPAFamily()] + rules.rules.map { RuleFamily(rule: $0) }
        var checked = 0
        for family in families {
            for v in try family.variants(in: context) {
                let text = try #require(v.ruleFile, "\(v.name) has no rule file")
                let parsed = try RuleFiles.load([RuleFiles.File(path: "\(v.name).yaml", text: text)])
                #expect(RuleLinter().lint(parsed).isEmpty, "\(v.name): \(RuleLinter().lint(parsed))")
                guard case .rule(let replayed) = v.policy else { Issue.record("\(v.name) is not a rule"); continue }
                #expect(parsed.rules.first?.policy.metrics.map(\.target) == replayed.policy.metrics.map(\.target))
                #expect(parsed.rules.first?.policy.scaleDownDelaySeconds == replayed.policy.scaleDownDelaySeconds)
                #expect(parsed.rules.first?.name == v.name)
                checked += 1
            }
        }
        #expect(checked >= 100 + rules.rules.count * 5)
        // A rule with a cold start is not tried with shorter delays, which lint would warn about.
        let code = try #require(rules.rules.first { $0.name == "llama-code" })
        #expect(RuleFamily(rule: code).delays == [180, 300, 600])
    }

    /// `--family fixed` tries every count to 16, then coarser ones to 96, and refuses a negative count.
    @Test func fixedFamilyCounts() throws {
        let family = try TuneFamilies.named("fixed", rules: .empty)
        let variants = try family.variants(in: TuneContext(profile: .llama70B))
        #expect(variants.count == 26)
        #expect(variants.prefix(3).map(\.name) == ["fixed-1", "fixed-2", "fixed-3"])
        #expect(variants.last?.policy == .fixed(96))
        #expect(variants.allSatisfy { $0.ruleFile == nil }, "a static count is not a rule")
        #expect(throws: TuneError.self) { try Self.fixedCounts(counts: [2, -1]).variants(in: TuneContext(profile: .llama70B)) }
    }

    /// `--family objective` varies the quantile the policy sizes for and its history, always for the
    /// run's TTFT objective; each variant's file reads back to the replayed objective and lints clean.
    @Test func objectiveVariantsKeepTheRunsObjective() throws {
        let rules = try RuleFiles.load(paths: [Self.repositoryRules])
        let family = try TuneFamilies.named("objective", rules: rules)
        let variants = try family.variants(in: TuneContext(profile: .llama70B, ttftObjectiveSeconds: 1.5))
        #expect(variants.count == 12)
        #expect(Set(variants.map(\.name)).count == 12)
        for v in variants {
            let parsed = try RuleFiles.load([RuleFiles.File(path: "\(v.name).yaml", text: try #require(v.ruleFile))])
            #expect(RuleLinter().lint(parsed).isEmpty, "\(v.name): \(RuleLinter().lint(parsed))")
            guard case .rule(let replayed) = v.policy else { Issue.record("\(v.name) is not a rule"); continue }
            #expect(replayed.policy.objective?.ttftSeconds == 1.5)
            #expect(parsed.rules.first?.policy.objective == replayed.policy.objective)
            #expect(replayed.match == rules.rules.first { $0.name == "objective" }?.match)
        }
        #expect(variants.map { $0.parameters.map(\.value) }.first == [0.9, 300])
        #expect(throws: TuneError.self) { try TuneFamilies.named("nope", rules: rules) }
    }

    @Test func sameReportWhateverTheParallelism() async throws {
        var grid = KPAFamily.Grid()
        grid.targetFactors = [1, 3]
        grid.scaleDownDelays = [0, 120]
        grid.windows = [30, 60]
        var hpa = HPAFamily.Grid()
        hpa.targetFactors = [1, 2]
        hpa.stabilisationWindows = [0, 300]
        var c = TuneConfiguration(base: Self.base(), families: [KPAFamily(grid: grid), HPAFamily(grid: hpa)])
        c.reference = .fixed(12)
        c.parallelism = 4
        let report = try await Tuner.run(c)
        let parallel = try TuneSummary(report, trace: "step", requests: 1740).jsonString()
        let again = try TuneSummary(try await Tuner.run(c), trace: "step", requests: 1740).jsonString()
        c.parallelism = 1
        let serial = try TuneSummary(try await Tuner.run(c), trace: "step", requests: 1740).jsonString()
        #expect(parallel == again)
        #expect(parallel == serial)
        // The JSON lists every variant with its parameters beside the result's own fields.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(parallel.utf8)) as? [String: Any])
        let families = try #require(json["families"] as? [[String: Any]])
        #expect(families.map { $0["family"] as? String } == ["kpa", "hpa"])
        let first = try #require((families[1]["variants"] as? [[String: Any]])?.first)
        #expect(first["name"] as? String == "hpa-t2-s0")
        #expect((first["parameters"] as? [String: Double]) == ["target": 2, "stabilisationWindow": 0])
        for key in ["policy", "replicaSeconds", "overObjectiveShare", "ttftP95", "meetsObjective", "replicaSecondsVsReference"] {
            #expect(first[key] != nil, "\(key)")
        }
        #expect((json["reference"] as? [String: Any])?["policy"] as? String == "fixed-12")
        // The column is named after the reference; only the oracle is called "not a lower bound".
        #expect(TuneTable.render(report).contains("vs fixed-12"))
        #expect(!TuneTable.render(report).contains("lower bound"))
        var oracle = report
        oracle.reference?.policy = PolicyChoice.oracle.name
        #expect(TuneTable.render(oracle).contains("reference oracle (clairvoyant reference, not a lower bound): "))
        // The hpa variants differ: the target and the window reach the HPA baseline.
        let hpaCosts = (families[1]["variants"] as? [[String: Any]])?.compactMap { $0["replicaSeconds"] as? Double } ?? []
        #expect(Set(hpaCosts).count > 1)
    }

    /// With the bound on, the report carries it, every variant its ratio to it (at least 1× for
    /// every variant that meets the objective), the table a `vs bound` column and the JSON the field.
    @Test func everyVariantAgainstTheBound() async throws {
        var grid = KPAFamily.Grid()
        grid.targetFactors = [1, 3]
        grid.scaleDownDelays = [0, 300]
        grid.windows = [60]
        var counts = FixedFamily.Grid()
        counts.counts = [2, 6, 12, 24]
        var c = TuneConfiguration(base: Self.base(), families: [KPAFamily(grid: grid), FixedFamily(grid: counts)])
        c.bound = true
        c.objectiveQuantile = 0.9
        let report = try await Tuner.run(c)
        let bound = try #require(report.bound)
        #expect(bound.objectiveQuantile == 0.9 && bound.replicaSeconds >= bound.floorReplicaSeconds)
        let entries = report.families.flatMap(\.entries)
        #expect(entries.allSatisfy { $0.replicaSecondsVsBound != nil })
        for e in entries where TuneReport.meets(e.result.overObjectiveShare, quantile: 0.9) {
            #expect(try #require(e.replicaSecondsVsBound) >= 1, "\(e.variant.name)")
        }
        #expect(entries.contains { TuneReport.meets($0.result.overObjectiveShare, quantile: 0.9) })
        let table = TuneTable.render(report)
        #expect(table.contains("vs bound") && table.contains("lower bound \(String(format: "%.0f", bound.replicaSeconds)) replica-s"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try TuneSummary(report, trace: "step", requests: 1740).jsonString().utf8)) as? [String: Any])
        #expect((json["bound"] as? [String: Any])?["replicaSeconds"] as? Double == bound.replicaSeconds)
        let variant = try #require(((json["families"] as? [[String: Any]])?.first?["variants"] as? [[String: Any]])?.first)
        #expect(variant["replicaSecondsVsBound"] != nil)
    }

    @Test func unknownFamiliesAndRepeatedOnesAreRefused() async throws {
        #expect(throws: TuneError.self) { try TuneFamilies.named("nope", rules: .empty) }
        let c = TuneConfiguration(base: Self.base(), families: [HPAFamily(), HPAFamily()])
        await #expect(throws: TuneError.self) { try await Tuner.run(c) }
    }

    @Test func axisTicksAreRoundAndCoverTheRange() {
        #expect(AxisTicks.ticks(low: 0, high: 17) == [0, 5, 10, 15, 20])
        let unit = AxisTicks.ticks(low: 0, high: 1)
        #expect(unit.count == 6 && zip(unit, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(AxisTicks.ticks(low: 9500, high: 20400) == [5000, 10000, 15000, 20000, 25000])
        #expect(AxisTicks.label(12000) == "12k" && AxisTicks.label(2.5) == "2.5" && AxisTicks.label(40) == "40")
        #expect(AxisTicks.time(span: 1200).map(\.label) == ["0 min", "5 min", "10 min", "15 min", "20 min"])
        #expect(AxisTicks.time(span: 60).map(\.label).prefix(3) == ["0 s", "10 s", "20 s"])
    }

    static let repositoryRules = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("rules").path
}
