import Foundation
import Kubernetes

/// What a PodAutoscaler-class controller writes for one PA, computed as Knative's KPA reconciler computes it
/// (`pkg/reconciler/autoscaling/kpa/kpa.go` `ReconcileKind`, `computeStatus`, `computeActiveCondition`,
/// `computeNumActivators`; `pkg/reconciler/autoscaling/reconciler.go` `ReconcileSKS`;
/// `pkg/reconciler/autoscaling/resources/sks.go` `MakeSKS`; `pkg/apis/autoscaling/v1alpha1/pa_lifecycle.go`).
///
/// Pure: it takes the PA and the SKS as read from the API, the control loop's latest verdict and the ready pods,
/// and returns the SKS write (if any) and the new PA status. Its state is the PA's status itself, as in Knative:
/// the `Active` condition and its transition time carry over from one reconcile to the next.
public struct PodAutoscalerReconciler: Sendable {
    /// The control loop's view of the revision.
    public struct Observation: Sendable, Equatable {
        /// The scale wanted (after bounds and scale-to-zero gating; −1: no decision yet).
        public var want: Int32
        /// Whether the activator must be in the path (wanted 0, or excess burst capacity negative).
        public var activatorInPath: Bool
        /// Ready pods of the revision.
        public var readyPods: Int

        /// Creates an observation.
        public init(want: Int32, activatorInPath: Bool, readyPods: Int) {
            self.want = want
            self.activatorInPath = activatorInPath
            self.readyPods = readyPods
        }
    }

    /// The revision's settings that shape the status.
    public struct Settings: Sendable, Equatable {
        /// `min-scale` as applied (0 when the PA is unreachable).
        public var minScale: Int32 = 0
        /// `initial-scale` as applied (Knative's `GetInitialScale`).
        public var initialScale: Int32 = 1
        /// Activators behind the revision in Proxy mode (see `numActivators`).
        public var numActivators: Int32 = 2

        /// Creates settings.
        public init(minScale: Int32 = 0, initialScale: Int32 = 1, numActivators: Int32 = 2) {
            self.minScale = minScale
            self.initialScale = initialScale
            self.numActivators = numActivators
        }
    }

    /// Why inferscale cannot serve a PA (an invalid annotation, a missing Deployment): the PA gets `Active=False`
    /// and so `Ready=False` with this reason and message, and nothing else is written.
    public struct Problem: Sendable, Equatable, Error {
        /// One CamelCase word, e.g. `InvalidAnnotation`.
        public var reason: String
        /// What is wrong and what to do.
        public var message: String

        /// Creates a problem.
        public init(reason: String, message: String) {
            self.reason = reason
            self.message = message
        }
    }

    /// The write the SKS needs.
    public enum SKSAction: Sendable, Equatable {
        /// It is as it should be (or must not be touched).
        case none
        /// POST this new SKS.
        case create(ServerlessService)
        /// PUT this SKS (the stored object with the new spec; its resourceVersion guards the write).
        case update(ServerlessService)
    }

    /// One reconcile's outcome.
    public struct Result: Sendable, Equatable {
        /// The SKS write.
        public var sks: SKSAction
        /// The SKS mode wanted, or nil when the SKS is not touched.
        public var mode: String?
        /// The PA status to write.
        public var status: PodAutoscalerStatus
        /// Whether `status` differs from the stored one (Knative writes only then).
        public var statusChanged: Bool
    }

    /// The condition types, as Knative names them.
    public enum Condition {
        /// Traffic state: True active, Unknown activating, False inactive.
        public static let active = "Active"
        /// Whether the target once reached its initial scale.
        public static let scaleTargetInitialized = "ScaleTargetInitialized"
        /// Whether the SKS is ready.
        public static let sksReady = "SKSReady"
        /// The summary.
        public static let ready = "Ready"
    }

    /// Knative's `minActivators`.
    public static let minActivators: Int32 = 2

    /// Knative's `computeNumActivators`: enough activators to cover the ready pods' capacity plus the burst
    /// capacity, at least 2; 2 when the target burst capacity is 0.
    /// - Parameters:
    ///   - totalValue: requests (or rps) one pod takes, the decider's total per pod.
    ///   - activatorCapacity: requests one activator holds (`activator-capacity`, default 100).
    public static func numActivators(readyPods: Int, targetBurstCapacity: Double, totalValue: Double, activatorCapacity: Double) -> Int32 {
        if targetBurstCapacity == 0 { return minActivators }
        var capacity = Double(readyPods) * totalValue
        if targetBurstCapacity > 0 { capacity += targetBurstCapacity }
        let needed = (capacity / max(activatorCapacity, 1)).rounded(.up)
        return Int32(clamping: Int64(max(Double(minActivators), min(needed, Double(Int32.max)))))
    }

    /// The SKS Knative would make for `pa` in `mode` (`MakeSKS`): the PA's name, namespace and labels, its
    /// annotations less `autoscaling.knative.dev/metric`, the PA as controlling owner, and the PA's target.
    public static func makeSKS(for pa: PodAutoscaler, mode: String, numActivators: Int32) -> ServerlessService {
        var annotations = pa.metadata.annotations
        annotations?["autoscaling.knative.dev/metric"] = nil
        let owner = OwnerReference(apiVersion: PodAutoscaler.apiVersion, kind: "PodAutoscaler", name: pa.metadata.name ?? "",
                                   uid: pa.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
        return ServerlessService(
            metadata: ObjectMeta(name: pa.metadata.name, namespace: pa.metadata.namespace, labels: pa.metadata.labels,
                                 annotations: annotations, ownerReferences: [owner]),
            spec: ServerlessServiceSpec(mode: mode, objectRef: pa.spec.scaleTargetRef, protocolType: pa.spec.protocolType,
                                        numActivators: numActivators))
    }

    /// One reconcile of `pa` at `now`.
    /// - Parameters:
    ///   - sks: the PA's SKS as stored, or nil when there is none.
    ///   - observation: the loop's verdict, or nil when the loop has not seen the revision yet.
    ///   - problem: why the PA cannot be served, if it cannot.
    public static func reconcile(pa: PodAutoscaler, sks: ServerlessService?, observation: Observation?, settings: Settings,
                                 problem: Problem?, now: Date) -> Result {
        let original = pa.status ?? PodAutoscalerStatus()
        var status = original
        var conditions = LivingConditionSet(dependents: [Condition.active, Condition.scaleTargetInitialized, Condition.sksReady],
                                            conditions: original.conditions ?? [], now: timestamp(now))
        conditions.initialize()
        var action = SKSAction.none
        var mode: String?

        if let problem {
            // Nothing is half done: no SKS write, no scale; the PA says why.
            conditions.markFalse(Condition.active, reason: problem.reason, message: problem.message)
            status.actualScale = Int32(clamping: observation?.readyPods ?? 0)
        } else if let sks, !sks.metadata.isControlled(byUID: pa.metadata.uid) {
            // `ReconcileSKS`: another owner holds the name.
            conditions.markFalse(Condition.active, reason: "NotOwned",
                                 message: "There is an existing ServerlessService \"\(sks.metadata.name ?? "")\" that we do not own.")
        } else if sks == nil || (sks?.status?.privateServiceName ?? "").isEmpty {
            // Until Knative's SKS reconciler has made the private Service, Proxy with the minimum activators.
            mode = ServerlessServiceSpec.proxy
            action = sksAction(pa: pa, sks: sks, mode: ServerlessServiceSpec.proxy, numActivators: minActivators)
            conditions.markUnknown(Condition.sksReady, reason: "NotReady", message: "No Private Service Name")
            computeStatus(&status, &conditions, want: -1, ready: observation?.readyPods ?? 0, settings: settings)
        } else if let sks {
            status.metricsServiceName = sks.status?.privateServiceName ?? ""
            let want = observation?.want ?? -1
            let serve = want > 0 && observation?.activatorInPath == false
            mode = serve ? ServerlessServiceSpec.serve : ServerlessServiceSpec.proxy
            action = sksAction(pa: pa, sks: sks, mode: mode!, numActivators: settings.numActivators)
            status.serviceName = sks.status?.serviceName ?? ""
            if let ready = sks.status?.condition(Condition.ready), ready.isTrue {
                conditions.markTrue(Condition.sksReady)
            } else {
                conditions.markUnknown(Condition.sksReady, reason: "NotReady", message: sks.status?.condition(Condition.ready)?.message ?? "")
            }
            computeStatus(&status, &conditions, want: want, ready: observation?.readyPods ?? 0, settings: settings)
        }
        status.conditions = conditions.conditions
        status.observedGeneration = pa.metadata.generation
        return Result(sks: action, mode: mode, status: status, statusChanged: status != original)
    }

    private static func sksAction(pa: PodAutoscaler, sks: ServerlessService?, mode: String, numActivators: Int32) -> SKSAction {
        let template = makeSKS(for: pa, mode: mode, numActivators: numActivators)
        guard var existing = sks else { return .create(template) }
        guard existing.spec != template.spec else { return .none }
        existing.spec = template.spec
        return .update(existing)
    }

    /// `computeStatus` and `computeActiveCondition`.
    private static func computeStatus(_ status: inout PodAutoscalerStatus, _ conditions: inout LivingConditionSet,
                                      want: Int32, ready: Int, settings: Settings) {
        status.actualScale = Int32(clamping: ready)
        // Right after a restart the want is unknown for a moment; a known desired scale is not overwritten by −1.
        if !(want == -1 && (status.desiredScale ?? -1) >= 0) { status.desiredScale = want }

        let initialized = conditions.condition(Condition.scaleTargetInitialized)?.isTrue == true
        let minReady = Int(initialized ? max(settings.minScale, 1) : max(settings.minScale, settings.initialScale))
        if ready >= minReady && !status.serviceName.isEmpty { conditions.markTrue(Condition.scaleTargetInitialized) }
        let active = conditions.condition(Condition.active)
        let inactive = active?.isFalse == true
        let activating = active?.isUnknown == true
        if want == 0 || minReady == 0 {
            if activating && minReady > 0 {
                conditions.markFalse(Condition.active, reason: "TimedOut", message: "The target could not be activated.")
            } else {
                conditions.markFalse(Condition.active, reason: "NoTraffic", message: "The target is not receiving traffic.")
            }
        } else if ready < minReady {
            if want > 0 || !inactive {
                conditions.markUnknown(Condition.active, reason: "Queued",
                                       message: "Requests to the target are being buffered as resources are provisioned.")
            } else {
                conditions.markFalse(Condition.active, reason: "NoTraffic", message: "The target is not receiving traffic.")
            }
        } else if want > 0 || !inactive {
            conditions.markTrue(Condition.active)
        }
    }

    /// RFC 3339 in whole seconds, as Knative's `VolatileTime` is written.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
