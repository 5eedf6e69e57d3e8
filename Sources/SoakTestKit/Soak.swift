import AutoscalerCore
import Foundation
import KubernetesTestKit
import Logging
import RemoteWrite
import RemoteWriteTestKit
import Rules

/// The fault-injection soak: two inferscale replicas (real discovery, scraper, actuator, Lease election, rule
/// reloading and `ControlLoop`) against the fake API server and loopback pods, stepped one simulated second at a
/// time, with the seeded `FaultSchedule` injected and `SoakInvariants` checked after every step. A remote-write
/// queue sends one series per target to a test receiver through its outages; at the end every sample it
/// accepted is sent or counted as dropped.
public struct Soak {
    public let configuration: SoakConfiguration
    public let schedule: FaultSchedule

    public init(configuration: SoakConfiguration) {
        self.configuration = configuration
        schedule = FaultSchedule(configuration: configuration)
    }

    /// Runs the soak; throws only when it cannot be set up. Violations are in the report.
    public func run(logger: Logger = Soak.quietLogger) async throws -> SoakReport {
        let c = configuration
        var report = SoakReport(seed: c.seed, schedule: schedule.listing)
        report.rssStartMiB = residentMiB()
        let wallStart = ContinuousClock.now
        var rng = SoakRandom(seed: c.seed ^ 0x5EED)

        let api = try await FakeKubernetesAPIServer.start()
        api.setRBAC(FakeRBACRule.inferscale)
        let slots = c.targets * (c.podsPerTarget + 1)
        let pods = try await SoakPods.start(count: slots)
        let receiver = try await RemoteWriteTestReceiver.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inferscale-soak-\(c.seed)-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var rules = SoakRules(directory: directory, port: pods.port, configuration: c)
        try rules.writeGood()
        let initialRules = try RuleFiles.load(paths: [rules.path])

        // The cluster: per target an InferenceService, its predictor Deployment and pods on their own addresses;
        // each target has one spare address a pod can move to.
        var addresses: [[Int]] = []
        for t in 0..<c.targets {
            api.put(.inferenceServices, namespace: "soak", object: [
                "metadata": ["name": .string("m\(t)"), "annotations": ["serving.kserve.io/autoscalerClass": "external"]],
                "spec": ["predictor": ["minReplicas": .int(Int64(c.minReplicas))]],
            ])
            api.addDeployment(namespace: "soak", name: "m\(t)-predictor", replicas: 2, matchLabels: ["app": "m\(t)"])
            addresses.append(Array((t * (c.podsPerTarget + 1))..<((t + 1) * (c.podsPerTarget + 1) - 1)))
            for p in 0..<c.podsPerTarget {
                api.setPod(namespace: "soak", name: "m\(t)-\(p)", labels: ["app": "m\(t)"], podIP: SoakPods.address(addresses[t][p]))
            }
        }
        func spare(_ t: Int) -> Int {
            let all = Set((t * (c.podsPerTarget + 1))..<((t + 1) * (c.podsPerTarget + 1)))
            return all.subtracting(addresses[t]).first!
        }
        func setLoad(_ t: Int, _ running: Int) {
            for slot in (t * (c.podsPerTarget + 1))..<((t + 1) * (c.podsPerTarget + 1)) { pods.setRunning(SoakPods.address(slot), running) }
        }
        for t in 0..<c.targets { setLoad(t, Int.random(in: c.loadRange, using: &rng)) }

        let clock = SoakClock()
        let calls = ScaleCallLog()
        func replica(_ name: String, rules initial: RuleSet) throws -> SoakReplica {
            try SoakReplica(name: name, apiURL: api.baseURL, rulesPath: rules.path, initialRules: initial, configuration: c,
                            calls: calls, clock: clock, logger: logger)
        }
        var replicas = [try replica("a", rules: initialRules), try replica("b", rules: initialRules)]

        var writerConfiguration = RemoteWriteConfiguration(url: receiver.url)
        writerConfiguration.queue.capacity = c.remoteWriteQueueCapacity
        writerConfiguration.queue.maxSamplesPerSend = 50
        writerConfiguration.queue.batchSendDeadline = .milliseconds(100)
        writerConfiguration.queue.maxBackoff = .milliseconds(500)
        writerConfiguration.queue.flushTimeout = .seconds(20)
        writerConfiguration.remoteTimeout = .seconds(5)
        let writer = try RemoteWriter(configuration: writerConfiguration, logger: logger)
        let writing = Task { try await writer.run() }
        let series = (0..<c.targets).map { writer.makeSeries(["__name__": "inferscale_soak_desired_replicas", "target": "m\($0)"]) }

        var invariants = SoakInvariants(configuration: c)
        var ends: [Int: [() async throws -> Void]] = [:]
        var lastLeader: String?
        var lastDesired: [String: Int32] = [:]
        var forbiddenTurn = 0
        /// Replicas stopped by SIGTERM; each starts again once the rule files load (`run` refuses invalid rules).
        var restarting: [String] = []
        var outages = 0

        func inject(_ fault: Fault, at step: Int) async throws {
            report.faults[fault.kind, default: 0] += 1
            let t = fault.subject % max(1, c.targets), p = fault.pod % max(1, c.podsPerTarget)
            let later = step + max(1, fault.duration)
            switch fault.kind {
            case .apiServerError: api.failNextRequests(fault.subject, status: Bool.random(using: &rng) ? 500 : 503)
            case .apiThrottled: api.failNextRequests(fault.subject, status: 429, retryAfter: "1")  // as API Priority and Fairness answers
            case .apiTimeout: api.delayNextResponses(fault.subject, by: .milliseconds(Int64(c.apiTimeoutSeconds * 1500)))
            case .watchDropped: api.closeWatches()
            case .watchGone:
                api.compact()
                api.sendWatchError()
            case .conflictStorm: api.conflictNextScaleWrites(fault.subject + 2)
            case .forbidden:
                // One rule of the role missing for a while: pods, scale writes, Deployments, InferenceServices, Leases in turn.
                let dropped = [0, 2, 3, 5, 11][forbiddenTurn % 5]
                forbiddenTurn += 1
                api.setRBAC(FakeRBACRule.inferscale.enumerated().filter { $0.offset != dropped }.map(\.element))
                ends[later, default: []].append { api.setRBAC(FakeRBACRule.inferscale) }
            case .podFlapping:
                let ip = SoakPods.address(addresses[t][p])
                api.setPod(namespace: "soak", name: "m\(t)-\(p)", labels: ["app": "m\(t)"], ready: false, podIP: ip)
                ends[later, default: []].append {
                    api.setPod(namespace: "soak", name: "m\(t)-\(p)", labels: ["app": "m\(t)"], ready: true, podIP: SoakPods.address(addresses[t][p]))
                }
            case .podIPChange:
                addresses[t][p] = spare(t)
                api.setPod(namespace: "soak", name: "m\(t)-\(p)", labels: ["app": "m\(t)"], podIP: SoakPods.address(addresses[t][p]))
            case .podHanging, .podGarbage, .podDying:
                let ip = SoakPods.address(addresses[t][p])
                let mode: SoakPods.Mode = switch fault.kind {
                case .podHanging: .hanging(c.scrapeDeadlineSeconds * 4)
                case .podGarbage: .garbage((0..<Int.random(in: 1...2048, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
                default: .dead
                }
                try await pods.setMode(ip, mode)
                ends[later, default: []].append { try await pods.setMode(ip, .healthy) }
            case .remoteWriteDown:
                // Outages may overlap: the receiver is back when the last one ends.
                outages += 1
                receiver.setDown(true)
                ends[later, default: []].append {
                    outages -= 1
                    if outages == 0 { receiver.setDown(false) }
                }
            case .rulesBroken:
                try rules.writeBroken()
                ends[later, default: []].append { try rules.writeGood() }
            case .leaderChange:
                // The old leader's pod is away until the other replica has taken over, then comes back.
                if let leader = replicas.first(where: { $0.slot.isLeader }) {
                    await leader.stopElector()
                    await waitForLeader(replicas, other: leader.name)
                    try leader.startElector()
                }
            case .sigtermMidTick:
                // The leader if there is one: scrapes started, the tick under way, then the process goes. With both
                // replicas already gone (their restarts wait while the rule files are broken) there is none to stop.
                guard !replicas.isEmpty else { return }
                let index = replicas.firstIndex { $0.slot.isLeader } ?? Int.random(in: 0..<replicas.count, using: &rng)
                let victim = replicas[index]
                await victim.loop.startScrapes(at: clock.timestamp)
                let tick = Task { await victim.loop.decide(at: clock.timestamp) }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 0...20, using: &rng)))
                tick.cancel()
                _ = await tick.value
                await victim.stop()
                report.scrapes += victim.source.collected
                report.failedPodScrapes += victim.source.failedPods
                replicas.remove(at: index)
                restarting.append(victim.name)
            }
        }

        let total = c.simulatedSeconds
        for step in 0..<total {
            guard (ContinuousClock.now - wallStart) < .seconds(c.wallClockLimitSeconds) else {
                invariants.fail(step, "stopped at the wall-clock limit of \(c.wallClockLimitSeconds) s")
                break
            }
            clock.advance()
            for end in ends.removeValue(forKey: step) ?? [] { try await end() }
            for fault in schedule.starting(at: step) { try await inject(fault, at: step) }
            if step % c.loadChangeEvery == 0 {
                let t = Int.random(in: 0..<c.targets, using: &rng)
                setLoad(t, Int.random(in: c.loadRange, using: &rng))
            }
            if !restarting.isEmpty, let current = try? RuleFiles.load(paths: [rules.path]) {
                for name in restarting { replicas.append(try replica(name, rules: current)) }
                replicas.sort { $0.name < $1.name }
                restarting = []
                report.restarts += 1
            }
            let now = clock.timestamp
            for r in replicas {
                switch await r.reloader.poll() {
                case .apply: report.rulesApplied += 1
                case .reject: report.rulesRejected += 1
                case .unchanged: break
                }
            }
            await withTaskGroup(of: Void.self) { group in
                for r in replicas { group.addTask { await r.loop.scrape(at: now) } }
            }
            if step % c.decideEvery == 0 {
                for r in replicas {
                    let records = await r.loop.decide(at: now)
                    report.evaluations += records.count
                    for record in records where record.valid {
                        let key = "\(r.name)/\(record.target)"
                        if lastDesired[key] != record.desired { report.decisionChanges += 1 }
                        lastDesired[key] = record.desired
                    }
                }
            }
            let leader = replicas.first { $0.slot.isLeader }
            if let name = leader?.name, name != lastLeader {
                if lastLeader != nil { report.leaderChanges += 1 }
                lastLeader = name
            }
            if let leader {
                for status in await leader.loop.status() {
                    guard let t = Int(status.target.dropFirst("soak/m".count).prefix { $0 != "-" }), series.indices.contains(t) else { continue }
                    if writer.append(series[t], value: Double(status.desired), timestamp: clock.milliseconds) {
                        report.remoteAppended += 1
                    } else {
                        report.remoteRefused += 1
                    }
                }
            }

            invariants.checkLeaders(step: step, replicas)
            invariants.checkWrites(step: step, api: api, calls: calls.all)
            for r in replicas {
                for problem in r.source.takeProblems() { invariants.fail(step, problem) }
                invariants.checkTargets(step: step, replica: r.name, await r.loop.status(), goodRule: rules.goodName, targets: c.targets)
            }
            let rss = residentMiB()
            report.rssMaxMiB = max(report.rssMaxMiB, rss)
            if step == c.warmupSteps { report.rssAfterWarmupMiB = rss }
        }
        // Lift whatever is still injected, then let the replicas settle before the closing checks.
        for (_, pending) in ends.sorted(by: { $0.key < $1.key }) { for end in pending { try await end() } }

        // Convergence: the leader's desired scale of every target is what its Deployment holds.
        if let leader = replicas.first(where: { $0.slot.isLeader }) {
            for status in await leader.loop.status() {
                let name = String(status.target.dropFirst("soak/".count))
                let held = api.replicas(namespace: "soak", deployment: name)
                if held != Int(status.desired) {
                    invariants.fail(total, "at the end \(status.target) holds \(held.map(String.init) ?? "nothing") replicas; the leader's decision is \(status.desired)")
                }
            }
        } else {
            invariants.fail(total, "no replica leads at the end")
        }

        writer.shutdown()
        _ = try? await writing.value
        let counters = writer.counters
        report.remoteSent = counters.samplesSent
        report.remoteDropped = counters.samplesDropped
        report.remoteFailed = counters.samplesFailed
        report.remoteRetried = counters.samplesRetried
        report.remoteReceived = receiver.acceptedSamples.values.reduce(0) { $0 + $1.count }
        // The writer counts a sample refused at append (queue full) as dropped too.
        if report.remoteAppended + report.remoteRefused != counters.samplesSent + counters.samplesDropped + counters.samplesFailed + counters.queueLength {
            invariants.fail(total, "remote-write: \(report.remoteAppended) samples queued and \(report.remoteRefused) refused, but \(counters.samplesSent) sent + \(counters.samplesDropped) dropped + \(counters.samplesFailed) failed + \(counters.queueLength) still queued")
        }
        if report.remoteReceived != counters.samplesSent {
            invariants.fail(total, "remote-write: \(counters.samplesSent) samples counted as sent, the receiver accepted \(report.remoteReceived)")
        }

        let all = calls.all
        report.simulatedSeconds = clock.steps
        report.scaleCalls = all.count
        report.failedScaleCalls = all.filter { $0.ended != nil && !$0.succeeded }.count
        report.scaleWrites = api.scaleWrites.count
        let requests = api.requests
        report.apiRequests = requests.count
        report.apiErrors = requests.filter { $0.status >= 400 }.count
        report.conflicts = requests.filter { $0.status == 409 }.count
        report.throttled = requests.filter { $0.status == 429 }.count
        for r in replicas {
            report.scrapes += r.source.collected
            report.failedPodScrapes += r.source.failedPods
        }
        for r in replicas { await r.stop() }
        report.rssEndMiB = residentMiB()
        if report.rssEndMiB - report.rssAfterWarmupMiB > c.maxRSSGrowthMiB {
            invariants.fail(total, "RSS grew \(Int(report.rssEndMiB - report.rssAfterWarmupMiB)) MiB after the warm-up (bound \(Int(c.maxRSSGrowthMiB)) MiB)")
        }
        await receiver.stop()
        await pods.stop()
        try? await api.shutdown()
        report.wallSeconds = (ContinuousClock.now - wallStart).soakSeconds
        report.violations = invariants.violations
        return report
    }

    /// Waits (real time, at most 10 × the lease duration) until a replica other than `other` leads.
    private func waitForLeader(_ replicas: [SoakReplica], other: String) async {
        let deadline = ContinuousClock.now + .seconds(configuration.leaseDurationSeconds * 10)
        while ContinuousClock.now < deadline {
            if replicas.contains(where: { $0.name != other && $0.slot.isLeader }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Loggers at `critical`: faults are the point of a soak, their warnings are noise.
    public static var quietLogger: Logger {
        var logger = Logger(label: "inferscale.soak")
        logger.logLevel = .critical
        return logger
    }
}

extension Duration {
    var soakSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
