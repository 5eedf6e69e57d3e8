import Foundation
import Kubernetes
import Testing
import Yams

/// deploy/overlays/sharded grants get and update on exactly the Leases its `--shards` makes the instances use:
/// the leader Lease, the members Lease and one Lease per shard (a missing name leaves a shard unheld).
@Suite struct ShardedOverlayTests {
    static let overlay = RBACManifestTests.repositoryRoot.appendingPathComponent("deploy/overlays/sharded")

    static func load(_ file: String) throws -> Any? {
        try Yams.load(yaml: String(contentsOf: overlay.appendingPathComponent(file), encoding: .utf8))
    }

    @Test func roleNamesEveryLeaseTheShardsUse() throws {
        let deploymentOps = try #require(try Self.load("deployment-shards.yaml") as? [[String: Any]])
        let args = deploymentOps.filter { $0["path"] as? String == "/spec/template/spec/containers/0/args/-" }.compactMap { $0["value"] as? String }
        let flag = try #require(args.firstIndex(of: "--shards"))
        let shards = try #require(Int(args[flag + 1]))
        #expect(args.contains("--no-knative"), "inferscale run refuses --shards above 1 in Knative mode")
        let replicas = deploymentOps.first { $0["path"] as? String == "/spec/replicas" }?["value"] as? Int
        #expect(replicas.map { shards % $0 == 0 } == true, "\(shards) shards do not split evenly over \(replicas ?? 0) instances")

        let roleOps = try #require(try Self.load("rbac-shard-leases.yaml") as? [[String: Any]])
        let names = try #require(roleOps.first?["value"] as? [String])
        let configuration = ShardElector.Configuration(shards: shards, leaseName: "inferscale", election: .init(identity: "x"))
        let expected = ["inferscale", configuration.membersLeaseName] + (0..<shards).map { configuration.leaseName(shard: $0) }
        #expect(names == expected)
        // The patched rule is the one with names (get, update), not the nameless `create`.
        let base = try RBACManifestTests.manifest()
        let role = try #require(base.first { $0["kind"] as? String == "Role" && ($0["metadata"] as? [String: Any])?["name"] as? String == "inferscale-leader-election" })
        let rules = try #require(role["rules"] as? [[String: Any]])
        #expect(roleOps.first?["path"] as? String == "/rules/1/resourceNames")
        #expect(rules[1]["verbs"] as? [String] == ["get", "update"])
    }
}
