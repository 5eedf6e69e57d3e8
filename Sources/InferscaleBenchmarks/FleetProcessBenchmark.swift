import AsyncHTTPClient
import Foundation
import Kubernetes
import KubernetesTestKit
import RemoteWriteTestKit

/// The fleet benchmark with inferscale as real `inferscale run` processes (`--only fleet --processes P`): the fake
/// API server in this process holds the fleet (`FleetObjects`), pod-server children serve its pods
/// (`FleetPodServers`), and first one `inferscale run` replica (`--shards 1`), then P sharded ones (`--shards S`),
/// scrape, decide and patch it, each a process of its own, so that the CPU and memory printed for each are
/// inferscale's alone. Round and tick durations come from each process's `/metrics` (the loop's histograms, read
/// before and after the measured span), CPU, RSS and open files from /proc, reactions (load step at the pods →
/// PATCH at the API) and false scale-downs from the fake API's scale writes, and who patched each target from the
/// `reportingInstance` of its Events.
struct FleetProcessBenchmark {
    var targets = 1_000
    /// `--scrape-interval` of every process, seconds.
    var interval = 1.0
    /// Healthy targets stepped from 10 to 60 running per pod, one after another, in each phase.
    var steps = 12
    var measureSeconds = 60.0
    /// Processes and shards of the sharded phase (none when `processes` is 1).
    var processes = 3, shards = 6
    /// The longest wait for every target to be decided once the processes start, seconds.
    var warmUpSeconds = 600.0
    /// Runs the single replica first, as the sharded phase's baseline (`--sharded-only`: not, where one process
    /// cannot hold the fleet).
    var singleFirst = true

    func run() async throws {
        let podCount = 2 * targets
        let pods = try FleetPodServers(pods: podCount)
        defer { pods.stop() }
        pods.send("run", 0..<podCount, 10)
        let api = try await FakeKubernetesAPIServer.start()
        FleetObjects.put(targets: targets, into: api)
        let directory = URL(fileURLWithPath: try PrometheusServer.temporaryDirectory(prefix: "inferscale-fleet"))
        let rules = directory.appendingPathComponent("rules")
        try FileManager.default.createDirectory(at: rules, withIntermediateDirectories: true)
        try FleetObjects.rules(port: pods.port).write(to: rules.appendingPathComponent("fleet.yaml"), atomically: true, encoding: .utf8)
        let kubeconfig = try api.writeKubeconfig(in: directory, user: "bench", token: "bench-token")
        let http = HTTPClient.shared
        print("fleet (inferscale as processes): \(targets) targets × 2 pods on \((podCount + FleetPodServers.perProcess - 1) / FleetPodServers.perProcess) pod-server processes, scrape every \(format1(interval)) s; logs in \(directory.path)")
        var context = FleetPhase.Context(api: api, pods: pods, http: http, directory: directory, targets: targets, interval: interval,
                                         steps: steps, measureSeconds: measureSeconds, warmUpSeconds: warmUpSeconds,
                                         common: ["--kubeconfig", kubeconfig.path, "--namespace", "fleet", "--rules", rules.path,
                                                  "--activator-port", "0", "--push-port", "0", "--no-knative",
                                                  "--gpu-agent-namespace", "", "--dcgm-exporter-namespace", "",
                                                  "--scrape-interval", "\(interval)"])
        var single: FleetProcessResult?
        if singleFirst || processes == 1 {
            single = try await FleetPhase(processes: 1, shards: 1, fleetWideStep: false).run(&context)
            single?.print(baseline: nil)
        }
        if processes > 1 {
            let sharded = try await FleetPhase(processes: processes, shards: shards, fleetWideStep: true).run(&context)
            sharded.print(baseline: single)
        }
        try? await api.shutdown()
    }
}

/// One phase of the process-mode fleet run: `processes` × `inferscale run --shards shards` against the same fleet.
struct FleetPhase {
    var processes: Int, shards: Int
    /// After the measurement, step every target not stepped yet and check that each was patched by one process,
    /// the holder of its shard.
    var fleetWideStep: Bool

    struct Context {
        var api: FakeKubernetesAPIServer, pods: FleetPodServers, http: HTTPClient, directory: URL
        var targets: Int, interval: Double, steps: Int, measureSeconds: Double, warmUpSeconds: Double
        var common: [String]
        /// Targets stepped in an earlier phase: their load is no longer the fleet's steady 10 per pod.
        var stepped: Set<Int> = []
    }

    func run(_ c: inout Context) async throws -> FleetProcessResult {
        let n = c.targets
        let tag = shards == 1 ? "single" : "shard\(shards)"
        let writesAtStart = c.api.scaleWrites.count
        var instances: [InferscaleProcess] = []
        defer { for i in instances { i.kill() } }
        for k in 0..<processes {
            let port = try await PrometheusServer.freePort()
            instances.append(try InferscaleProcess(identity: "inferscale-\(tag)-\(k)", arguments: c.common + ["--shards", "\(shards)"],
                                                   metricsPort: port, directory: c.directory))
        }
        func failure(_ what: String) -> FleetError {
            FleetError(message: "\(what); logs:\n" + instances.map { "\($0.identity):\n\($0.logTail)" }.joined(separator: "\n---\n"))
        }
        func holder(_ shard: Int) -> String? {
            c.api.object(.leases, namespace: "fleet", name: "inferscale-shard-\(shard)")?[path: ["spec", "holderIdentity"]]?.stringValue
        }

        // Warm-up: every target decided and, with shards, each process at its fair share (⌊S/P⌋ or ⌈S/P⌉); then
        // ten seconds more, as the in-process run.
        let warm = ContinuousClock.now
        // When the processes had decided a first target and every target (the start-up curve over N), seconds.
        var firstDecision: Double?
        while true {
            guard ContinuousClock.now - warm < .seconds(c.warmUpSeconds) else {
                throw failure("not every target was decided within \(Int(c.warmUpSeconds)) s (--warm-up)")
            }
            if let dead = instances.first(where: { !$0.isRunning }) { throw failure("\(dead.identity) exited") }
            var decided = 0, balanced = true
            for i in instances {
                let m = await i.metrics(c.http)
                decided += m?.decided ?? 0
                if shards > 1 {
                    let held = (0..<shards).filter { holder($0) == i.identity }.count
                    balanced = balanced && (shards / processes...(shards + processes - 1) / processes).contains(held)
                }
            }
            if decided > 0 && firstDecision == nil { firstDecision = (ContinuousClock.now - warm).benchSeconds }
            if decided >= n && balanced { break }
            try await Task.sleep(for: .seconds(firstDecision == nil ? 1 : 5))
        }
        let warmUp = (ContinuousClock.now - warm).benchSeconds
        try await Task.sleep(for: .seconds(10))

        var before: [LoopMetricsSnapshot] = []
        for i in instances { before.append(await i.metrics(c.http) ?? LoopMetricsSnapshot()) }
        let cpu0 = instances.map { $0.stats.cpuSeconds }, podCPU0 = c.pods.cpuSeconds, benchCPU0 = processCPUSeconds()
        let t0 = ContinuousClock.now
        var reactions: [Double] = []
        let candidates = (0..<n).filter { !c.stepped.contains($0) }.shuffled().prefix(c.steps)
        for target in candidates {
            try await Task.sleep(for: .milliseconds(Int.random(in: 200..<2200)))  // steps fall anywhere in the tick
            let name = "m\(target)-predictor"
            let step = ContinuousClock.now
            c.pods.send("run", [2 * target, 2 * target + 1], 60)
            c.stepped.insert(target)
            let deadline = step + .seconds(max(20, 3 * c.interval + 10))
            while ContinuousClock.now < deadline {
                if (c.api.replicas(namespace: "fleet", deployment: name) ?? 0) > 2,
                   let write = c.api.scaleWrites.last(where: { $0.name == name && $0.replicas > 2 }), write.at > step {
                    reactions.append((write.at - step).benchSeconds)
                    break
                }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        let rest = c.measureSeconds - (ContinuousClock.now - t0).benchSeconds
        if rest > 0 { try await Task.sleep(for: .seconds(rest)) }
        let elapsed = (ContinuousClock.now - t0).benchSeconds
        let cpu = zip(instances, cpu0).map { ($0.stats.cpuSeconds - $1) / elapsed }
        let podCPU = (c.pods.cpuSeconds - podCPU0) / elapsed, benchCPU = (processCPUSeconds() - benchCPU0) / elapsed
        let memory = instances.map { (rss: $0.stats.residentMiB, peak: $0.stats.peakResidentMiB, files: $0.stats.openFiles) }
        var spans: [LoopMetricsSnapshot] = []
        for (i, b) in zip(instances, before) { spans.append((await i.metrics(c.http) ?? LoopMetricsSnapshot()).since(b)) }

        // Every scale write since the processes started that the load did not call for: a target not stepped set
        // away from its 2 replicas.
        let stepped = Set(c.stepped.map { "m\($0)-predictor" })
        let unasked = c.api.scaleWrites.dropFirst(writesAtStart).filter { $0.replicas != 2 && !stepped.contains($0.name) }
        // The first few, with when they came and the Event that says why, to read a failure by.
        let examples = unasked.prefix(4).map { w in
            let why = c.api.objects(.events, namespace: "fleet").filter { $0[path: ["involvedObject", "name"]]?.stringValue == w.name }
                .compactMap { $0["message"]?.stringValue }.first ?? "no Event"
            return "\(w.name) → \(w.replicas) at +\(format1((w.at - warm).benchSeconds)) s (\(why))"
        }
        var result = FleetProcessResult(targets: n, interval: c.interval, processes: processes, shards: shards, seconds: elapsed,
                                        warmUp: warmUp, firstDecision: firstDecision ?? warmUp, identities: instances.map(\.identity), spans: spans, cpu: cpu,
                                        memory: memory.map { FleetProcessResult.Memory(rss: $0.rss, peak: $0.peak, openFiles: $0.files) },
                                        podServerCPU: podCPU, benchCPU: benchCPU, reactions: reactions.sorted(), steps: candidates.count,
                                        falseScaleDowns: unasked.filter { $0.replicas < 2 }.count, unaskedChanges: Set(unasked.map(\.name)).count,
                                        unaskedExamples: examples, measuredFrom: (t0 - warm).benchSeconds)
        if shards > 1 {
            let holders = (0..<shards).map(holder)
            result.held = instances.map { i in (0..<n).filter { holders[ShardHash.bucket(of: "fleet/m\($0)-predictor", shards: shards)] == i.identity }.count }
            if fleetWideStep { result.fleetStep = try await stepTheFleet(&c, instances: instances, holders: holders) }
        }
        for i in instances { await i.stop() }
        return result
    }

    /// Steps every target not stepped yet to 25 running per pod (5 replicas), waits until all are patched (at most
    /// 60 s plus three intervals), and reads from their Events who patched each.
    private func stepTheFleet(_ c: inout Context, instances: [InferscaleProcess], holders: [String?]) async throws -> FleetProcessResult.FleetStep {
        let rest = (0..<c.targets).filter { !c.stepped.contains($0) }
        c.pods.send("run", rest.flatMap { [2 * $0, 2 * $0 + 1] }, 25)
        let start = ContinuousClock.now
        let deadline = start + .seconds(60 + 3 * c.interval)
        var patched = 0
        while ContinuousClock.now < deadline {
            patched = rest.filter { (c.api.replicas(namespace: "fleet", deployment: "m\($0)-predictor") ?? 0) > 2 }.count
            if patched == rest.count { break }
            try await Task.sleep(for: .seconds(1))
        }
        let took = (ContinuousClock.now - start).benchSeconds
        let finals = Dictionary(grouping: rest) { c.api.replicas(namespace: "fleet", deployment: "m\($0)-predictor") ?? -1 }.mapValues(\.count)
        for t in rest { c.stepped.insert(t) }
        let ours = Set(instances.map(\.identity))
        var by: [Int: Set<String>] = [:]
        for event in c.api.objects(.events, namespace: "fleet") {
            guard let who = event["reportingInstance"]?.stringValue, ours.contains(who),
                  let t = event[path: ["involvedObject", "name"]]?.stringValue.flatMap(fleetIndex) else { continue }
            by[t, default: []].insert(who)
        }
        let twice = by.values.filter { $0.count > 1 }.count
        let notHolder = by.filter { t, who in who != [holders[ShardHash.bucket(of: "fleet/m\(t)-predictor", shards: shards)] ?? "?"] }.count
        return .init(targets: rest.count, patched: patched, seconds: took, patchedTwice: twice, patchedByOther: notHolder, withEvents: by.count,
                     finalReplicas: finals.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
    }
}
