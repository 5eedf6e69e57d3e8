import Kubernetes

/// Knative's "living" condition set (`knative.dev/pkg/apis/condition_set.go`, `NewLivingConditionSet`): a happy
/// condition, `Ready`, that summarises its dependents. Marking a dependent True makes `Ready` True once every
/// dependent is; Unknown makes `Ready` Unknown unless a dependent is False; False makes `Ready` False with the
/// same reason. Setting a condition to what it already says keeps its `lastTransitionTime`; the list stays
/// sorted by type. The rules are Knative's, so a Revision reads inferscale's PodAutoscaler as it reads its own.
struct LivingConditionSet: Sendable {
    /// The summary condition.
    static let happy = "Ready"
    /// The dependents, in Knative's order.
    let dependents: [String]
    /// The conditions so far.
    private(set) var conditions: [KnativeCondition]
    /// The time written into changed conditions, RFC 3339 in whole seconds.
    let now: String

    init(dependents: [String], conditions: [KnativeCondition], now: String) {
        self.dependents = dependents
        self.conditions = conditions
        self.now = now
    }

    func condition(_ type: String) -> KnativeCondition? { conditions.first { $0.type == type } }

    /// `InitializeConditions`: a missing `Ready` becomes Unknown; missing dependents take `Ready`'s truth
    /// (True if `Ready` is True, else Unknown).
    mutating func initialize() {
        if condition(Self.happy) == nil { set(KnativeCondition(type: Self.happy, status: "Unknown")) }
        let status = condition(Self.happy)?.isTrue == true ? "True" : "Unknown"
        for type in dependents where condition(type) == nil { set(KnativeCondition(type: type, status: status)) }
    }

    /// `MarkTrue`.
    mutating func markTrue(_ type: String) {
        set(KnativeCondition(type: type, status: "True"))
        guard dependents.allSatisfy({ condition($0)?.isTrue == true }) else { return }
        set(KnativeCondition(type: Self.happy, status: "True"))
    }

    /// `MarkUnknown`: a False dependent keeps (or makes) `Ready` False.
    mutating func markUnknown(_ type: String, reason: String, message: String) {
        set(KnativeCondition(type: type, status: "Unknown", reason: reason, message: message))
        if dependents.contains(where: { condition($0)?.isFalse == true }) {
            if condition(Self.happy)?.isFalse != true { markFalse(Self.happy, reason: reason, message: message) }
            return
        }
        if dependents.contains(type) {
            set(KnativeCondition(type: Self.happy, status: "Unknown", reason: reason, message: message))
        }
    }

    /// `MarkFalse`: a dependent takes `Ready` down with it.
    mutating func markFalse(_ type: String, reason: String, message: String) {
        set(KnativeCondition(type: type, status: "False", reason: reason, message: message))
        if dependents.contains(type) {
            set(KnativeCondition(type: Self.happy, status: "False", reason: reason, message: message))
        }
    }

    /// `SetCondition`: unchanged apart from the time, the old condition (and its time) stays.
    private mutating func set(_ new: KnativeCondition) {
        var new = new
        if let old = condition(new.type) {
            new.lastTransitionTime = old.lastTransitionTime
            if old == new { return }
        }
        new.lastTransitionTime = now
        conditions.removeAll { $0.type == new.type }
        conditions.append(new)
        conditions.sort { $0.type < $1.type }
    }
}
