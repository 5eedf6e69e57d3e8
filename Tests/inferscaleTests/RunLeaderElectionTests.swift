import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KubernetesTestKit
import PodTestKit
import RemoteWriteTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two `inferscale run` processes against the fake Kubernetes API and a vLLM pod on loopback:
/// they share one Lease, only the leader patches, and killing the leader hands over within
/// the lease duration.
@Suite struct RunLeaderElectionTests {
    static let leaseSeconds = 3.0

    /// A running `inferscale run`; its output goes to a file (a pipe nobody reads could block it).
    final class Instance: @unchecked Sendable {
        let identity: String
        let process = Process()
        let log: URL

        init(identity: String, arguments: [String], directory: URL) throws {
            self.identity = identity
            log = directory.appendingPathComponent("\(identity).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.executableURL = try CLIRunner.binary
            process.arguments = ["run", "--identity", identity] + arguments
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        func kill() {
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    static func vllm(running: Int) -> [UInt8] {
        Array("""
            # TYPE vllm:num_requests_running gauge
            vllm:num_requests_running{model_name="chat"} \(running)
            # TYPE vllm:num_requests_waiting gauge
            vllm:num_requests_waiting{model_name="chat"} 0

            """.utf8)
    }

    /// A kubeconfig for the fake API (plain HTTP, a bearer token).
    /// An InferenceService `llm/wake` at zero whose load comes only from pushes, its rule file, a kubeconfig and a
    /// push token file, all in `directory`: the set-up of the push-forwarding tests.
    static func wakeTarget(_ api: FakeKubernetesAPIServer, in directory: URL, token: String) throws
        -> (rules: URL, kubeconfig: URL, tokenFile: URL, token: String) {
        api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": "wake", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 0]]])
        _ = api.addDeployment(namespace: "llm", name: "wake-predictor", replicas: 0, matchLabels: ["app": "wake"])
        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: wake
                match: {namespace: llm, inferenceService: wake}
                source: {runtime: vllm, push: true}
                policy:
                  metrics: [{signal: concurrency, target: 10}]
                  minReplicas: 0
                  maxReplicas: 10
                  scaleToZero: {enabled: true}
            """.write(to: rules, atomically: true, encoding: .utf8)
        let tokenFile = directory.appendingPathComponent("push-token")
        try "\(token)\n".write(to: tokenFile, atomically: true, encoding: .utf8)
        return (rules, try kubeconfig(api, in: directory), tokenFile, token)
    }

    static func kubeconfig(_ api: FakeKubernetesAPIServer, in directory: URL) throws -> URL {
        try api.writeKubeconfig(in: directory)
    }

    /// Polls until `check` holds or `seconds` pass; the time it took, or nil.
    static func within(_ seconds: Double, _ check: () async throws -> Bool) async throws -> Double? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(seconds) {
            if try await check() { return Double((ContinuousClock.now - start).components.seconds) + Double((ContinuousClock.now - start).components.attoseconds) / 1e18 }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test func onlyTheLeaderPatchesAndAKilledLeaderIsReplaced() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        let pods = CannedMetricsServer()
        let podPort = try await pods.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-le-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instances: [Instance] = []
        defer {
            for i in instances { i.kill() }
            try? FileManager.default.removeItem(at: directory)
        }

        api.put(.inferenceServices, namespace: "llm", object: ["metadata": ["name": "chat", "annotations": ["serving.kserve.io/autoscalerClass": "external"]], "spec": ["predictor": ["minReplicas": 1]]])
        _ = api.addDeployment(namespace: "llm", name: "chat-predictor", replicas: 1, matchLabels: ["app": "chat"])
        api.setPod(namespace: "llm", name: "chat-1", labels: ["app": "chat"], podIP: "127.0.0.1")
        pods.set("/metrics", .init(body: Self.vllm(running: 40)))

        let rules = directory.appendingPathComponent("rules.yaml")
        try """
            apiVersion: inferscale.dev/v1
            kind: ScalingRules
            rules:
              - name: chat
                match: {namespace: llm, inferenceService: chat}
                source: {runtime: vllm, port: \(podPort), queueProxy: false}
                policy:
                  metrics: [{signal: running, target: 10}]
                  minReplicas: 1
                  maxReplicas: 20
            """.write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try Self.kubeconfig(api, in: directory)
        let arguments = ["--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
                         "--http-port", "0", "--activator-port", "0", "--push-port", "0", "--lease-duration", "\(Self.leaseSeconds)"]
        instances.append(try Instance(identity: "inferscale-a", arguments: arguments, directory: directory))
        instances.append(try Instance(identity: "inferscale-b", arguments: arguments, directory: directory))

        func holder() -> String? { api.object(.leases, namespace: "llm", name: "inferscale")?[path: ["spec", "holderIdentity"]]?.stringValue }
        func replicas() -> Int? { api.replicas(namespace: "llm", deployment: "chat-predictor") }
        func reporters() -> [String] {
            api.objects(.events, namespace: "llm").compactMap { $0["reportingInstance"]?.stringValue }
        }

        // 40 running at 10 per pod: 4 replicas, set by the leader alone.
        let scaled = try await Self.within(30) { replicas() == 4 }
        #expect(scaled != nil, "no scale to 4; logs:\n\(instances.map(\.output).joined(separator: "\n---\n").suffix(3000))")
        let leaderName = try #require(holder())
        // The Event is written after the PATCH: wait for it rather than reading it at once.
        let recorded = try await Self.within(10) { !reporters().isEmpty }
        #expect(recorded != nil, "no scaling Event after the scale to 4")
        #expect(Set(reporters()) == [leaderName], "events by \(reporters())")
        // Both keep running; a few more ticks change nothing and the follower stays quiet.
        try await Task.sleep(for: .seconds(3))
        #expect(Set(reporters()) == [leaderName])

        // Kill the leader (no release): the other takes over once the lease expires and acts on new load.
        let leader = try #require(instances.first { $0.identity == leaderName })
        let follower = try #require(instances.first { $0.identity != leaderName })
        leader.kill()
        pods.set("/metrics", .init(body: Self.vllm(running: 120)))
        // The Lease expires lease-duration after the last renewal; the follower retries every 2/15 of it.
        let takeover = try await Self.within(Self.leaseSeconds + 15) { holder() == follower.identity }
        #expect(takeover != nil, "follower log:\n\(follower.output.suffix(3000))")
        if let takeover { #expect(takeover <= Self.leaseSeconds + 5) }
        // Its windows were warm: the new load is acted on within a couple of ticks.
        let acted = try await Self.within(15) { replicas() == 12 }
        #expect(acted != nil, "follower log:\n\(follower.output.suffix(3000))")
        let followerRecorded = try await Self.within(10) { reporters().contains(follower.identity) }
        #expect(followerRecorded != nil, "no scaling Event by the new leader; events by \(reporters())")
        #expect(follower.process.isRunning)

        try? await pods.stop()
        try? await api.shutdown()
    }

    /// A target at zero wakes when its load is pushed to the follower: the follower records it
    /// and forwards it to the leader (found through the Lease), which scales.
    @Test func loadPushedToTheFollowerReachesTheLeader() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-fw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var instances: [Instance] = []
        defer {
            for i in instances { i.kill() }
            try? FileManager.default.removeItem(at: directory)
        }
        // Both instances mount the same token; the follower forwards with it.
        let (rules, kubeconfig, tokenFile, token) = try Self.wakeTarget(api, in: directory, token: "leader-election-push-token-0123")
        var ports: [String: Int] = [:]
        for identity in ["inferscale-a", "inferscale-b"] {
            let port = try await PrometheusServer.freePort()
            ports[identity] = port
            instances.append(try Instance(identity: identity, arguments: [
                "--kubeconfig", kubeconfig.path, "--namespace", "llm", "--rules", rules.path, "--http-host", "127.0.0.1",
                "--http-port", "0", "--push-port", "\(port)", "--advertise-address", "127.0.0.1:\(port)", "--activator-port", "0",
                "--push-token-file", tokenFile.path, "--lease-duration", "\(Self.leaseSeconds)",
            ], directory: directory))
        }
        func lease() -> JSONValue? { api.object(.leases, namespace: "llm", name: "inferscale") }
        #expect(try await Self.within(20) { lease()?[path: ["spec", "holderIdentity"]]?.stringValue?.isEmpty == false } != nil)
        let leaderName = try #require(lease()?[path: ["spec", "holderIdentity"]]?.stringValue)
        let followerName = leaderName == "inferscale-a" ? "inferscale-b" : "inferscale-a"
        // The leader says in its Lease where it listens.
        #expect(lease()?[path: ["metadata", "annotations", "inferscale.dev/leader-endpoint"]]?.stringValue == "127.0.0.1:\(ports[leaderName]!)")

        // Push 30 requests in flight to the follower only, once a second as an activator would,
        // until the target is scaled up (the follower may not know the target yet: 404 at first).
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(ports[followerName]!)/push")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(#"{"target": "llm/wake-predictor", "concurrency": 30, "rps": 5}"#.utf8)
        var accepted = 0
        let woke = try await Self.within(25) {
            if let replicas = api.replicas(namespace: "llm", deployment: "wake-predictor"), replicas > 0 { return true }
            let status = try await CLIRunner.offThePool { [request] () -> Int in
                let semaphore = DispatchSemaphore(value: 0)
                nonisolated(unsafe) var status = 0
                URLSession.shared.dataTask(with: request) { _, response, _ in
                    status = (response as? HTTPURLResponse)?.statusCode ?? 0
                    semaphore.signal()
                }.resume()
                _ = semaphore.wait(timeout: .now() + 2)
                return status
            }
            if status == 202 { accepted += 1 }
            try await Task.sleep(for: .milliseconds(500))
            return false
        }
        #expect(woke != nil, "leader log:\n\(instances.first { $0.identity == leaderName }!.output.suffix(2000))\nfollower log:\n\(instances.first { $0.identity == followerName }!.output.suffix(2000))")
        #expect(accepted >= 1)
        #expect((api.replicas(namespace: "llm", deployment: "wake-predictor") ?? 0) >= 3)
        // Only the leader patched.
        // The Event is written after the PATCH: wait for one rather than reading at once.
        func reporters() -> Set<String> { Set(api.objects(.events, namespace: "llm").compactMap { $0["reportingInstance"]?.stringValue }) }
        #expect(try await Self.within(10) { !reporters().isEmpty } != nil, "no scaling Event after the wake")
        #expect(reporters() == [leaderName])
        // The token reached neither log.
        for instance in instances { #expect(!instance.output.contains(token), "\(instance.identity) logged the push token") }
        try? await api.shutdown()
    }
}
