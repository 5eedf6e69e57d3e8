import Scaling

/// What a decide tick reads of a target's pods — how many are ready, when the youngest became ready, the ready
/// pods' cold starts — worked out once when discovery reports a change of pods. Built on every tick it was three
/// arrays per target per tick.
struct ReadyPods: Equatable {
    /// Ready pods.
    var count: Int
    /// When the most recently ready pod became ready, if any says.
    var youngestReadySince: Timestamp?
    /// Creation and readiness of the ready pods that know both.
    var startups: [PodStartup]

    init(_ pods: [PodInfo]) {
        let ready = pods.filter(\.ready)
        count = ready.count
        youngestReadySince = ready.compactMap(\.readySince).max()
        startups = ready.compactMap { p in p.createdAt.flatMap { c in p.readySince.map { PodStartup(createdAt: c, readyAt: $0) } } }
    }
}
