import Foundation
import Kubernetes
import Logging

/// Warning Events that tell a user why inferscale does not scale their object, or what went wrong with it
/// (`kubectl describe` shows them): one per change of reason, and at most one per object every
/// `minimumIntervalSeconds`.
actor OwnershipEventRecorder {
    private let api: any KubernetesAPI
    private let instance: String?
    private let now: @Sendable () -> Date
    private let logger: Logger
    /// Least seconds between two Events on one object. Default 300.
    let minimumIntervalSeconds: Double
    private var last: [String: (reason: String, at: Date)] = [:]

    init(api: any KubernetesAPI, instance: String?, now: @escaping @Sendable () -> Date, logger: Logger, minimumIntervalSeconds: Double = 300) {
        self.api = api
        self.instance = instance
        self.now = now
        self.logger = logger
        self.minimumIntervalSeconds = minimumIntervalSeconds
    }

    /// Records `NotScaling` on `object` for `target`, unless the same reason was recorded, or any reason was
    /// recorded within the interval. A failure to record is logged; it never affects scaling.
    func notScaling(_ object: ObjectReference, target: String, reason: String) async {
        await warn(object, target: target, eventReason: "NotScaling", message: "not scaling \(target): \(reason)")
    }

    /// Records a Warning `eventReason` on `object` with `message`, under the same rule: once per change of message
    /// for that object, target and event reason, and at most one every `minimumIntervalSeconds`.
    func warn(_ object: ObjectReference, target: String, eventReason: String, message text: String) async {
        let key = "\(object.kind ?? "")/\(object.namespace ?? "")/\(object.name ?? "")/\(target)/\(eventReason)"
        let time = now()
        if let previous = last[key], previous.reason == text || time.timeIntervalSince(previous.at) < minimumIntervalSeconds { return }
        last[key] = (text, time)
        var message = text
        if message.count > ScalingEventRecorder.maxMessageLength { message = String(message.prefix(ScalingEventRecorder.maxMessageLength - 1)) + "…" }
        let stamp = KubernetesTime.formatTime(time)
        let nanos = UInt64(max(0, time.timeIntervalSince1970 * 1e9))
        let event = KubernetesEvent(
            metadata: ObjectMeta(name: "\(object.name ?? "object").\(String(nanos, radix: 16))", namespace: object.namespace),
            involvedObject: object, reason: eventReason, message: message, type: "Warning",
            source: EventSource(component: "inferscale"), firstTimestamp: stamp, lastTimestamp: stamp, count: 1,
            reportingComponent: "inferscale", reportingInstance: instance)
        do {
            _ = try await api.createEvent(event)
        } catch {
            logger.warning("could not record the \(eventReason) Event", metadata: ["inferscale.target": "\(target)", "inferscale.error": "\(error)"])
        }
    }

    /// Forgets what was recorded for `target` under `eventReason`, so the next warning is recorded at once (the
    /// problem went away; if it comes back, the user hears of it again).
    func clear(_ object: ObjectReference, target: String, eventReason: String) {
        last["\(object.kind ?? "")/\(object.namespace ?? "")/\(object.name ?? "")/\(target)/\(eventReason)"] = nil
    }
}
