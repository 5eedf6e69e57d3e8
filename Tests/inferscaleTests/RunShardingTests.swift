import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Kubernetes
import KubernetesTestKit
import PodTestKit
import RemoteWriteTestKit
import Testing

/// Two and three `inferscale run --shards N` processes against the fake Kubernetes API and a vLLM pod on
/// loopback: they split the shard Leases evenly, each patches only the targets of its shards, and a killed
/// process's shards (and targets) are taken over within the lease duration and a retry.
/// Serialized: each case runs up to three processes on a machine CI shares.
@Suite(.serialized) struct RunShardingTests {
    typealias Run = RunLeaderElectionTests
    static let leaseSeconds = 3.0

    @Test(arguments: [(2, 4, 8), (3, 6, 12)])
    func shardedProcessesSplitTheTargetsAndTakeOverAKilledOnes(processes: Int, shards: Int, targets: Int) async throws {
        let api = try await FakeKubernetesAPIServer.start()
        let pods = CannedMetricsServer()
        let podPort = try await pods.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-shards-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instances: [Run.Instance] = []
        defer {
            for i in instances { i.kill() }
            try? FileManager.default.removeItem(at: directory)
        }
        let names = (0..<targets).map { "m\($0)" }
        for name in names {
            api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": .string(name), "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 1]]])
            _ = api.addDeployment(namespace: "llm", name: "\(name)-predictor", replicas: 1, matchLabels: ["app": name])
            api.setPod(namespace: "llm", name: "\(name)-1", labels: ["app": name], podIP: "127.0.0.1")
        }
        // 10 running at 10 per pod: one replica, as they are; nothing is patched while the shards settle.
        pods.set("/metrics", .init(body: Run.vllm(running: 10)))
        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: all
                match: {namespace: llm}
                source: {runtime: vllm, port: \(podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
                  minReplicas: 1
                  maxReplicas: 20
            """.write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try Run.kubeconfig(api, in: directory)
        let arguments = ["--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
                         "--activator-port", "0", "--push-port", "0", "--lease-duration", "\(Self.leaseSeconds)",
                         "--shards", "\(shards)", "--no-knative"]
        var metricsPorts: [String: Int] = [:]
        for i in 0..<processes {
            let port = try await PrometheusServer.freePort()
            metricsPorts["inferscale-\(i)"] = port
            instances.append(try Run.Instance(identity: "inferscale-\(i)", arguments: arguments + ["--http-port", "\(port)"], directory: directory))
        }
        func logs() -> String { instances.map { "\($0.identity):\n\($0.output.suffix(1500))" }.joined(separator: "\n---\n") }
        func holder(_ shard: Int) -> String? {
            api.object(.leases, namespace: "llm", name: "inferscale-shard-\(shard)")?[path: ["spec", "holderIdentity"]]?.stringValue
        }
        func held(by identity: String) -> Int { (0..<shards).filter { holder($0) == identity }.count }
        func shard(of name: String) -> Int { ShardHash.bucket(of: "llm/\(name)-predictor", shards: shards) }
        func replicas(_ name: String) -> Int? { api.replicas(namespace: "llm", deployment: "\(name)-predictor") }
        /// Who wrote each target's scaling Events.
        func patchers() -> [String: Set<String>] {
            var by: [String: Set<String>] = [:]
            for event in api.objects(.events, namespace: "llm") {
                guard let who = event["reportingInstance"]?.stringValue,
                      var name = event[path: ["involvedObject", "name"]]?.stringValue else { continue }
                if name.hasSuffix("-predictor") { name.removeLast("-predictor".count) }
                by[name, default: []].insert(who)
            }
            return by
        }

        // Every shard held and each process at ⌊N/M⌋ or ⌈N/M⌉ (within one shard of an even share): where the
        // balance rests, so the holders below do not move any more.
        let settled = try await Run.within(60) {
            (0..<shards).allSatisfy { holder($0)?.isEmpty == false }
                && instances.allSatisfy { (shards / processes...(shards + processes - 1) / processes).contains(held(by: $0.identity)) }
        }
        #expect(settled != nil, "holders \((0..<shards).map(holder)); logs:\n\(logs())")
        let owners = Dictionary(uniqueKeysWithValues: (0..<shards).map { ($0, holder($0) ?? "") })
        #expect(patchers().isEmpty, "patched while the load was unchanged: \(patchers())")

        // 40 running: four replicas each, each target patched by the holder of its shard alone.
        pods.set("/metrics", .init(body: Run.vllm(running: 40)))
        let scaled = try await Run.within(40) { names.allSatisfy { replicas($0) == 4 } && patchers().count == targets }
        #expect(scaled != nil, "replicas \(names.map(replicas)); logs:\n\(logs())")
        let before = patchers()
        for name in names {
            #expect(before[name] == [owners[shard(of: name)] ?? "?"], "\(name) (shard \(shard(of: name))) patched by \(before[name] ?? [])")
        }
        #expect(Set(before.values.flatMap { $0 }).count == processes, "not every process patched: \(before)")
        // Each target's series come from its shard's holder alone (an instance that gave a shard up removed them),
        // and the instances' shards add up.
        var heldTotal = 0.0
        for instance in instances {
            let text = await Self.get("http://127.0.0.1:\(metricsPorts[instance.identity]!)/metrics")
            for name in names {
                let exported = text.contains("inferscale_desired_replicas{target=\"llm/\(name)-predictor\"}")
                #expect(exported == (owners[shard(of: name)] == instance.identity), "\(instance.identity) exports \(name): \(exported)")
            }
            #expect(text.split(separator: "\n").contains { $0 == "inferscale_shards \(shards)" || $0 == "inferscale_shards \(shards).0" },
                    "\(instance.identity) does not export inferscale_shards \(shards)")
            heldTotal += text.split(separator: "\n").first { $0.hasPrefix("inferscale_shards_held ") }.flatMap { Double($0.split(separator: " ").last!) } ?? -100
        }
        #expect(heldTotal == Double(shards))

        // Kill the first process (no release): the others take its shards once their Leases expire.
        let victim = instances[0]
        let lost = (0..<shards).filter { owners[$0] == victim.identity }
        victim.kill()
        pods.set("/metrics", .init(body: Run.vllm(running: 120)))
        let takeover = try await Run.within(Self.leaseSeconds + 20) {
            lost.allSatisfy { let h = holder($0); return h != nil && h != victim.identity && h?.isEmpty == false }
        }
        #expect(takeover != nil, "holders \((0..<shards).map(holder)); logs:\n\(logs())")
        // The Lease expires lease-duration after the last renewal; the others retry every 2/15 of it.
        if let takeover { #expect(takeover <= Self.leaseSeconds + 5, "takeover took \(takeover) s") }
        // A scaling Event is written after its PATCH: wait for both, or a fast read sees the PATCH without its Event
        // (a fresh-clone CI run did: m7 at 12 replicas, its new holder's Event not yet there).
        let acted = try await Run.within(90) {  // a bound on "eventually", not a timing claim: 40 s ran out once at load 10
            let by = patchers()
            return names.allSatisfy { name in
                replicas(name) == 12 && (!lost.contains(shard(of: name)) || by[name]?.contains(holder(shard(of: name)) ?? "?") == true)
            }
        }
        #expect(acted != nil, "replicas \(names.map(replicas)); logs:\n\(logs())")
        let after = patchers()
        for name in names {
            let owner = holder(shard(of: name)) ?? "?"
            #expect(owner != victim.identity)
            // The new holder patched a taken-over target; a survivor's own targets were patched by it alone.
            if lost.contains(shard(of: name)) {
                #expect(after[name]?.contains(owner) == true, "\(name) not patched by its new holder \(owner): \(after[name] ?? [])")
            } else {
                #expect(after[name] == [owner], "\(name) patched by \(after[name] ?? [])")
            }
        }
        for instance in instances.dropFirst() { #expect(instance.process.isRunning, "\(instance.identity) exited:\n\(instance.output.suffix(2000))") }
        try? await pods.stop()
        try? await api.shutdown()
    }

    /// The body of a GET, or "" (a 5 s limit: a loaded machine answers slowly).
    static func get(_ url: String) async -> String {
        (try? await CLIRunner.offThePool { () -> String in
            let semaphore = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var body = ""
            URLSession.shared.dataTask(with: URL(string: url)!) { data, _, _ in
                body = data.map { String(decoding: $0, as: UTF8.self) } ?? ""
                semaphore.signal()
            }.resume()
            _ = semaphore.wait(timeout: .now() + 5)
            return body
        }) ?? ""
    }

    /// A target at zero wakes when its load is pushed to the instance that does not hold its shard: that instance
    /// forwards it to the holder (found through the shard's Lease), which alone scales.
    @Test func loadPushedToAnotherShardsInstanceReachesTheHolder() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-shards-fw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instances: [Run.Instance] = []
        defer {
            for i in instances { i.kill() }
            try? FileManager.default.removeItem(at: directory)
        }
        let (rules, kubeconfig, tokenFile, token) = try Run.wakeTarget(api, in: directory, token: "sharding-push-token-0123456789ab")
        var ports: [String: Int] = [:]
        for identity in ["inferscale-a", "inferscale-b"] {
            let port = try await PrometheusServer.freePort()
            ports[identity] = port
            instances.append(try Run.Instance(identity: identity, arguments: [
                "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
                "--http-port", "0", "--push-port", "\(port)", "--advertise-address", "127.0.0.1:\(port)", "--activator-port", "0",
                "--push-token-file", tokenFile.path, "--lease-duration", "\(Self.leaseSeconds)", "--shards", "2", "--no-knative",
            ], directory: directory))
        }
        let shard = ShardHash.bucket(of: "llm/wake-predictor", shards: 2)
        func holder(_ k: Int) -> String? {
            api.object(.leases, namespace: "llm", name: "inferscale-shard-\(k)")?[path: ["spec", "holderIdentity"]]?.stringValue
        }
        // One shard each, so the other instance holds none of this target.
        let split = try await Run.within(30) {
            let holders = [holder(0), holder(1)]
            return Set(holders.compactMap { $0 }) == ["inferscale-a", "inferscale-b"]
        }
        #expect(split != nil, "holders \([holder(0), holder(1)])")
        let holderName = try #require(holder(shard))
        let otherName = holderName == "inferscale-a" ? "inferscale-b" : "inferscale-a"
        let lease = api.object(.leases, namespace: "llm", name: "inferscale-shard-\(shard)")
        #expect(lease?[path: ["metadata", "annotations", "inferscale.dev/leader-endpoint"]]?.stringValue == "127.0.0.1:\(ports[holderName]!)")

        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(ports[otherName]!)/push")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(#"{"target": "llm/wake-predictor", "concurrency": 30, "rps": 5}"#.utf8)
        var answers: [String] = []
        let woke = try await Run.within(25) {
            if let replicas = api.replicas(namespace: "llm", deployment: "wake-predictor"), replicas > 0 { return true }
            let answer = try await CLIRunner.offThePool { [request] () -> String in
                let semaphore = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var answer = ""
                URLSession.shared.dataTask(with: request) { data, response, _ in
                    answer = "\((response as? HTTPURLResponse)?.statusCode ?? 0) \(data.map { String(decoding: $0, as: UTF8.self) } ?? "")"
                    semaphore.signal()
                }.resume()
                _ = semaphore.wait(timeout: .now() + 2)
                return answer
            }
            answers.append(answer)
            try await Task.sleep(for: .milliseconds(500))
            return false
        }
        #expect(woke != nil, "answers \(answers); logs:\n\(instances.map { $0.output.suffix(1500) }.joined(separator: "\n---\n"))")
        // The instance without the shard records nothing of it and says so.
        #expect(answers.contains("202 recorded 0; 1 for shards other replicas hold\n"), "answers \(answers)")
        // The Event is written after the PATCH: wait for one rather than reading at once.
        func reporters() -> Set<String> { Set(api.objects(.events, namespace: "llm").compactMap { $0["reportingInstance"]?.stringValue }) }
        #expect(try await Run.within(10) { !reporters().isEmpty } != nil, "no scaling Event after the wake")
        #expect(reporters() == [holderName])
        try? await api.shutdown()
    }

    /// Settings sharding cannot run with are refused with what to do, before anything starts.
    @Test func refusedSettingsSayWhatToDo() async throws {
        let invalid = try await CLIRunner.runDetached(["run", "--shards", "0"])
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("--shards must be between 1 and 64"), "\(invalid.stderr)")
        let noElection = try await CLIRunner.runDetached(["run", "--shards", "3", "--no-leader-election"])
        #expect(noElection.status != 0)
        #expect(noElection.stderr.contains("needs leader election"), "\(noElection.stderr)")

        // The fake serves Knative's PodAutoscalers, so Knative mode turns on by itself: refused, and the process
        // exits cleanly (no crash) with the two ways out.
        let api = try await FakeKubernetesAPIServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-shards-kn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules.yaml")
        try "apiVersion: inferscale.dev/v1\nkind: ScalingRules\nrules: []\n".write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try Run.kubeconfig(api, in: directory)
        let knative = try await CLIRunner.runDetached([
            "run", "--shards", "2", "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path,
            "--http-host", "127.0.0.1", "--http-port", "0", "--activator-port", "0", "--push-port", "0",
        ])
        #expect(knative.status == 2, "status \(knative.status): \(knative.stderr.suffix(2000))")
        #expect(knative.stderr.contains("not supported in Knative mode") && knative.stderr.contains("--no-knative"), "\(knative.stderr.suffix(2000))")
        try? await api.shutdown()
    }
}
