import Foundation
import Testing
import Yams

/// The shipped manifests restrict who reaches each port: a NetworkPolicy selects inferscale's
/// pods and admits the metrics port only from the monitoring namespace, the push and activator
/// ports only from named activator/gateway peers (and the other instance), and nothing else;
/// /debug is on no container port. Checked on the base files, and on the example overlay as
/// `kubectl kustomize` renders it (when kubectl is installed).
@Suite struct NetworkPolicyManifestTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func documents(_ text: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: text).compactMap { $0 as? [String: Any] }
    }

    static func baseDocuments() throws -> [[String: Any]] {
        let base = repositoryRoot.appendingPathComponent("deploy/base")
        return try ["deployment.yaml", "networkpolicy.yaml", "service.yaml"].flatMap {
            try documents(String(contentsOf: base.appendingPathComponent($0), encoding: .utf8))
        }
    }

    static var kubectl: String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { "\($0)/kubectl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `kubectl kustomize deploy/overlays/example`, parsed.
    static func renderedOverlay() throws -> [[String: Any]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(kubectl))
        process.arguments = ["kustomize", repositoryRoot.appendingPathComponent("deploy/overlays/example").path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(process.terminationStatus == 0, "kubectl kustomize failed: \(message)")
        return try documents(String(decoding: data, as: UTF8.self))
    }

    static func one(_ kind: String, in docs: [[String: Any]]) throws -> [String: Any] {
        let found = docs.filter { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == "inferscale" }
        try #require(found.count == 1, "expected one \(kind) named inferscale, found \(found.count)")
        return found[0]
    }

    static func value(_ object: Any?, _ path: String...) -> Any? {
        path.reduce(object) { ($0 as? [String: Any])?[$1] }
    }

    /// A peer as "namespace labels | pod labels" (empty side: none given).
    static func peer(_ p: [String: Any]) -> String {
        func labels(_ key: String) -> String {
            guard let selector = p[key] as? [String: Any] else { return "-" }
            let m = (selector["matchLabels"] as? [String: Any]) ?? [:]
            return m.keys.sorted().map { "\($0)=\(m[$0]!)" }.joined(separator: ",")
        }
        return "\(labels("namespaceSelector")) | \(labels("podSelector"))"
    }

    /// Container port name → number, and the argument that follows each `--flag`.
    static func container(_ deployment: [String: Any]) throws -> (ports: [String: Int], args: [String: String], mounts: [String: String], secretVolumes: Set<String>) {
        let spec = try #require(value(deployment, "spec", "template", "spec") as? [String: Any])
        let containers = try #require(spec["containers"] as? [[String: Any]])
        let c = try #require(containers.first { $0["name"] as? String == "inferscale" })
        var ports: [String: Int] = [:]
        for p in (c["ports"] as? [[String: Any]]) ?? [] { ports[p["name"] as? String ?? ""] = p["containerPort"] as? Int }
        let list = (c["args"] as? [Any])?.map { "\($0)" } ?? []
        var args: [String: String] = [:]
        for (i, a) in list.enumerated() where a.hasPrefix("--") && i + 1 < list.count { args[a] = list[i + 1] }
        var mounts: [String: String] = [:]
        for m in (c["volumeMounts"] as? [[String: Any]]) ?? [] { mounts[m["name"] as? String ?? ""] = m["mountPath"] as? String }
        let secrets = Set(((spec["volumes"] as? [[String: Any]]) ?? []).filter { $0["secret"] != nil }.compactMap { $0["name"] as? String })
        return (ports, args, mounts, secrets)
    }

    /// The checks both the base and the rendered overlay must pass; returns, per container port
    /// name, the peers admitted to it.
    @discardableResult
    static func check(_ docs: [[String: Any]], monitoringNamespace: String = "monitoring") throws -> [String: Set<String>] {
        let deployment = try one("Deployment", in: docs)
        let policy = try one("NetworkPolicy", in: docs)
        let c = try container(deployment)

        // Each server on its own named port, matching the flags.
        #expect(c.ports.keys.sorted() == ["activator", "http", "push"], "container ports \(c.ports)")
        #expect(c.args["--http-port"].flatMap(Int.init) == c.ports["http"])
        #expect(c.args["--push-port"].flatMap(Int.init) == c.ports["push"])
        #expect(c.args["--activator-port"].flatMap(Int.init) == c.ports["activator"])
        // /debug stays off (or, if an overlay turns it on, on loopback: never a container port).
        if let debug = c.args["--debug-port"].flatMap(Int.init) { #expect(!c.ports.values.contains(debug)) }
        // The token comes from a mounted Secret.
        let tokenFile = try #require(c.args["--push-token-file"], "no --push-token-file: pushes would all be refused")
        #expect(c.mounts.contains { c.secretVolumes.contains($0.key) && tokenFile.hasPrefix($0.value + "/") },
                "--push-token-file \(tokenFile) is not inside a mounted Secret volume")

        // The policy selects exactly the Deployment's pods and governs ingress.
        let podLabels = try #require(value(deployment, "spec", "template", "metadata", "labels") as? [String: Any])
        let selector = try #require(value(policy, "spec", "podSelector", "matchLabels") as? [String: Any])
        #expect(!selector.isEmpty && selector.allSatisfy { podLabels[$0.key] as? String == $0.value as? String },
                "the policy's podSelector \(selector) does not select the pods \(podLabels)")
        #expect((value(policy, "spec", "policyTypes") as? [String])?.contains("Ingress") == true)

        var admitted: [String: Set<String>] = [:]
        for rule in try #require(value(policy, "spec", "ingress") as? [[String: Any]]) {
            let ports = try #require(rule["ports"] as? [[String: Any]], "an ingress rule without ports admits every port")
            let peers = try #require(rule["from"] as? [[String: Any]], "an ingress rule without from admits every source")
            #expect(!peers.isEmpty)
            for p in ports {
                let port = "\(p["port"] ?? "")"
                // Named or numbered, it must be one of the container's ports.
                let name = c.ports[port] != nil ? port : c.ports.first { "\($0.value)" == port }?.key
                let known = try #require(name, "the policy admits port \(port), which the container does not serve")
                for peer in peers {
                    #expect(peer["ipBlock"] == nil, "an ipBlock peer on \(known)")
                    #expect(peer["namespaceSelector"] != nil || peer["podSelector"] != nil)
                    for key in ["namespaceSelector", "podSelector"] {
                        if let s = peer[key] as? [String: Any] {
                            #expect(!((s["matchLabels"] as? [String: Any]) ?? [:]).isEmpty || s["matchExpressions"] != nil,
                                    "an empty \(key) on \(known) admits everything")
                        }
                    }
                    admitted[known, default: []].insert(Self.peer(peer))
                }
            }
        }
        #expect(admitted["http"] == ["kubernetes.io/metadata.name=\(monitoringNamespace) | -"],
                "the metrics port admits \(admitted["http"] ?? [])")
        // The other instance may reach push (forwarding); nothing outside the named peers.
        let me = "- | " + selector.keys.sorted().map { "\($0)=\(selector[$0]!)" }.joined(separator: ",")
        #expect(admitted["push"]?.contains(me) == true, "the follower cannot forward to the leader")
        #expect(admitted["push"]?.contains("kubernetes.io/metadata.name=knative-serving | app=activator") == true)
        #expect(admitted["activator"]?.contains("kubernetes.io/metadata.name=knative-serving | app=activator") == true)
        for port in ["push", "activator"] {
            for peer in admitted[port] ?? [] where peer != me {
                #expect(!peer.hasPrefix("- |"), "\(port) admits \(peer) from any namespace")
                #expect(!peer.contains("monitoring"), "\(port) admits the monitoring namespace")
            }
        }
        #expect(admitted["activator"]?.contains(me) != true, "the activator port does not need the other instance")

        // The Service exposes the same three ports, no more.
        let service = try one("Service", in: docs)
        let servicePorts = ((value(service, "spec", "ports") as? [[String: Any]]) ?? []).compactMap { $0["targetPort"] as? String }
        #expect(servicePorts.sorted() == ["activator", "http", "push"])
        return admitted
    }

    @Test func theBaseRestrictsEachPort() throws {
        let admitted = try Self.check(Self.baseDocuments())
        #expect(admitted["push"]?.contains("inferscale.dev/push-clients=true | inferscale.dev/push-client=true") == true)
    }

    @Test(.enabled(if: NetworkPolicyManifestTests.kubectl != nil, "kubectl is not installed"))
    func theRenderedOverlayRestrictsEachPortToItsSources() throws {
        let docs = try Self.renderedOverlay()
        let admitted = try Self.check(docs)
        // The overlay's gateway replaced the base's labelled one.
        #expect(admitted["push"]?.contains("kubernetes.io/metadata.name=gateway | app.kubernetes.io/name=llm-gateway") == true)
        #expect(admitted["push"]?.contains("inferscale.dev/push-clients=true | inferscale.dev/push-client=true") == false)
        let policy = try Self.one("NetworkPolicy", in: docs)
        #expect(Self.value(policy, "metadata", "namespace") as? String == "inferscale-system")
    }
}
