import Foundation
import KubernetesTestKit
import Testing

/// `inferscale run` turns Knative mode on by itself when the cluster serves Knative's PodAutoscaler resource, says
/// so in its log either way, and `--knative`/`--no-knative` decide instead. In Knative mode it also watches
/// knative-serving/config-autoscaler.
@Suite struct RunKnativeModeTests {
    /// Starts `run` with `extra` flags against `api`, waits until its log says which mode it chose, and returns the
    /// log once the mode has had a few seconds to show in the requests.
    /// - Parameter listSeconds: how long to wait for two PA lists (in Knative mode they come within a few seconds;
    ///   off, the wait is the time they would have had to show).
    func run(_ api: FakeKubernetesAPIServer, _ extra: [String], name: String, listSeconds: Double = 20) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("run-knative-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rules = directory.appendingPathComponent("rules.yaml")
        try "apiVersion: inferscale.dev/v1\nkind: ScalingRules\nrules: []\n".write(to: rules, atomically: true, encoding: .utf8)
        let kubeconfig = try RunLeaderElectionTests.kubeconfig(api, in: directory)
        let instance = try RunLeaderElectionTests.Instance(identity: name, arguments: [
            "--kubeconfig", kubeconfig.path, "--namespace", "ml", "--rules", rules.path, "--http-host", "127.0.0.1",
            "--http-port", "0", "--activator-port", "0", "--push-port", "0", "--no-leader-election", "--activator-namespace", "",
        ] + extra, directory: directory)
        defer { instance.kill() }
        let decided = try await RunLeaderElectionTests.within(30) { instance.output.contains("Knative mode") }
        #expect(decided != nil, "no Knative mode line; log:\n\(instance.output.suffix(2000))")
        // Long enough for a second or two of PA lists in Knative mode (the loop lists every second).
        _ = try await RunLeaderElectionTests.within(listSeconds) { api.requestCount(method: "GET", pathSuffix: "/podautoscalers") >= 2 }
        return instance.output
    }

    @Test func onWhenThePodAutoscalerResourceIsServed() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        defer { Task { try? await api.shutdown() } }
        let log = try await run(api, [], name: "knative-on")
        #expect(log.contains("Knative mode on"), "\(log.suffix(2000))")
        #expect(api.requestCount(method: "GET", pathSuffix: "/podautoscalers") >= 2)
        #expect(api.requests.contains { $0.path.hasSuffix("/namespaces/knative-serving/configmaps") && $0.query.contains("metadata.name=config-autoscaler") })
    }

    @Test func offWhenKnativeIsNotInstalled() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        defer { Task { try? await api.shutdown() } }
        api.uninstall(.podAutoscalers)
        api.uninstall(.serverlessServices)
        let log = try await run(api, [], name: "knative-off", listSeconds: 4)
        #expect(log.contains("Knative mode off: the cluster does not serve"), "\(log.suffix(2000))")
        #expect(api.requestCount(method: "GET", pathSuffix: "/podautoscalers") == 0)
        #expect(!api.requests.contains { $0.path.hasSuffix("/configmaps") })
    }

    @Test func theFlagsDecide() async throws {
        let api = try await FakeKubernetesAPIServer.start()
        defer { Task { try? await api.shutdown() } }
        let off = try await run(api, ["--no-knative"], name: "knative-flag-off", listSeconds: 4)
        #expect(off.contains("Knative mode off (--no-knative)"))
        #expect(api.requestCount(method: "GET", pathSuffix: "/podautoscalers") == 0)
        #expect(!api.requests.contains { $0.path.hasPrefix("/apis/autoscaling.internal.knative.dev") })  // no discovery either

        api.uninstall(.podAutoscalers)
        let on = try await run(api, ["--knative"], name: "knative-flag-on")
        #expect(on.contains("Knative mode on (--knative)"))
        // Forced on, it lists PAs although the resource is absent (404: "not installed", logged once).
        #expect(api.requests.contains { $0.path.hasSuffix("/podautoscalers") && $0.status == 404 })
    }
}
