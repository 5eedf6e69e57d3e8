import AutoscalerCore
import KubernetesTestKit

/// The invariants a soak checks after every step, against the API server's record of writes and the replicas'
/// record of scale calls:
/// - at most one replica leads;
/// - every write the API applied is a call a leading replica made, and writes of one Deployment come in the
///   order of the calls (no stale write after a newer one, no second writer);
/// - when a Deployment's newest call has ended and succeeded, its replicas are that call's (no lost decision);
/// - every call is inside the rule's bounds;
/// - no failed scrape is read as zero (`AuditedSource`);
/// - each replica's targets are under the newest good rule, never a broken one, and none is taken for another
///   writer's.
struct SoakInvariants {
    let configuration: SoakConfiguration
    private var writesChecked = 0
    private var callsChecked = 0
    /// Per Deployment, the index in the call log of the last call a write was matched to.
    private var lastMatched: [String: Int] = [:]
    private(set) var violations: [String] = []
    /// Messages already recorded: a condition that lasts is reported at its first step.
    private var reported: Set<String> = []

    init(configuration: SoakConfiguration) { self.configuration = configuration }

    mutating func fail(_ step: Int, _ message: String) {
        guard reported.insert(message).inserted else { return }
        if violations.count < 200 { violations.append("step \(step): \(message)") }
    }

    mutating func checkLeaders(step: Int, _ replicas: [SoakReplica]) {
        let leaders = replicas.filter { $0.slot.isLeader }.map(\.name)
        if leaders.count > 1 { fail(step, "two leaders at once: \(leaders)") }
    }

    mutating func checkWrites(step: Int, api: FakeKubernetesAPIServer, calls: [ScaleCallLog.Call]) {
        let writes = api.scaleWrites
        let now = ContinuousClock.now
        for write in writes.dropFirst(writesChecked) {
            let key = "\(write.namespace)/\(write.name)"
            let earliest = lastMatched[key] ?? 0
            let fits: (Int) -> Bool = { i in
                let c = calls[i]
                return c.target == key && c.replicas == write.replicas && c.began <= write.at && (c.ended ?? now) >= write.at
            }
            if let i = calls.indices.first(where: { $0 >= earliest && fits($0) }) {
                lastMatched[key] = i
                if !calls[i].leader { fail(step, "\(key) written to \(write.replicas) by \(calls[i].instance), which did not lead") }
            } else if calls.indices.contains(where: fits) {
                fail(step, "\(key) written to \(write.replicas) by a call older than one already applied (a stale write)")
            } else {
                fail(step, "\(key) written to \(write.replicas) with no scale call behind it (a second writer)")
            }
        }
        writesChecked = writes.count
        for call in calls.dropFirst(callsChecked) where !(configuration.minReplicas...configuration.maxReplicas).contains(call.replicas) {
            fail(step, "\(call.instance) asked for \(call.replicas) replicas of \(call.target), outside \(configuration.minReplicas)…\(configuration.maxReplicas)")
        }
        callsChecked = calls.count
        // The newest call of each Deployment, once ended and successful, is what the Deployment holds.
        var newest: [String: ScaleCallLog.Call] = [:]
        for call in calls { newest[call.target] = call }
        for (key, call) in newest where call.ended != nil && call.succeeded {
            let parts = key.split(separator: "/")
            let replicas = api.replicas(namespace: String(parts[0]), deployment: String(parts[1]))
            if replicas != call.replicas {
                fail(step, "\(key) holds \(replicas.map(String.init) ?? "nothing") replicas, but the last successful scale call (\(call.instance)) set \(call.replicas): a lost decision")
            }
        }
    }

    mutating func checkTargets(step: Int, replica: String, _ status: [ControlLoop.TargetStatus], goodRule: String, targets: Int) {
        for s in status {
            if s.rule != goodRule {
                fail(step, "\(replica): \(s.target) is under rule \(s.rule ?? "none"), not the newest good rule \(goodRule)")
            }
            if s.control != "owned" {
                fail(step, "\(replica): \(s.target) is \(s.control): \(s.skipReason ?? "") (no other writer exists in the soak)")
            }
        }
    }
}
