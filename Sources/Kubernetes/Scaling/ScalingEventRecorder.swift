import Foundation

/// Records a core/v1 Event on a Deployment when inferscale scales it, so `kubectl describe` and
/// `kubectl get events` show what happened and why.
public struct ScalingEventRecorder: Sendable {
    /// The API to use.
    public let api: any KubernetesAPI
    /// `source.component` and `reportingComponent`. Default `inferscale`.
    public let component: String
    /// `reportingInstance`, usually the pod name; nil when unknown.
    public let instance: String?
    private let now: @Sendable () -> Date

    /// Longest message written, in characters; longer decision reasons are cut with an ellipsis.
    public static let maxMessageLength = 1024

    /// Creates a recorder.
    /// - Parameter now: wall clock, injectable for tests.
    public init(
        api: any KubernetesAPI, component: String = "inferscale", instance: String? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.api = api
        self.component = component
        self.instance = instance
        self.now = now
    }

    /// The event for a scale change from `from` to `to` replicas (reason `ScaledUp`, `ScaledDown` or
    /// `ScaledToZero`), with the decision's reason in the message.
    /// - Parameter involving: the object the event is on; default the Deployment itself (a Knative revision's
    ///   PodAutoscaler gets the same event, so `kubectl describe podautoscaler` shows it too).
    public func makeEvent(namespace: String, deployment: String, uid: String?, from: Int, to: Int, reason: String,
                          involving: ObjectReference? = nil) -> KubernetesEvent {
        let time = now()
        let eventReason = to == 0 ? "ScaledToZero" : (to > from ? "ScaledUp" : "ScaledDown")
        var message = "Scaled deployment \(deployment) from \(from) to \(to) replicas: \(reason)"
        if message.count > Self.maxMessageLength {
            message = String(message.prefix(Self.maxMessageLength - 1)) + "…"
        }
        // client-go names events <object>.<hex of unix nanoseconds>; doing the same keeps names unique and sortable.
        let nanos = UInt64(max(0, time.timeIntervalSince1970 * 1e9))
        let stamp = KubernetesTime.formatTime(time)
        let object = involving ?? ObjectReference(apiVersion: "apps/v1", kind: "Deployment", namespace: namespace, name: deployment, uid: uid)
        return KubernetesEvent(
            metadata: ObjectMeta(name: "\(object.name ?? deployment).\(String(nanos, radix: 16))", namespace: namespace),
            involvedObject: object,
            reason: eventReason, message: message, type: "Normal", source: EventSource(component: component),
            firstTimestamp: stamp, lastTimestamp: stamp, count: 1, reportingComponent: component,
            reportingInstance: instance)
    }

    /// Creates the event from `makeEvent` on the server.
    @discardableResult
    public func recordScaled(
        namespace: String, deployment: String, uid: String?, from: Int, to: Int, reason: String, involving: ObjectReference? = nil
    ) async throws -> KubernetesEvent {
        try await api.createEvent(makeEvent(namespace: namespace, deployment: deployment, uid: uid, from: from, to: to, reason: reason,
                                            involving: involving))
    }
}
