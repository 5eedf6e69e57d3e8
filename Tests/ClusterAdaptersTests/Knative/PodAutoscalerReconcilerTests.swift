import ClusterAdapters
import Foundation
import Kubernetes
import Testing

/// The PA status and SKS inferscale writes, field by field against what Knative's KPA reconciler writes for the
/// same situation. The expected objects are built as Knative's table tests build them
/// (`pkg/reconciler/autoscaling/kpa/kpa_test.go`, `TestReconcile`, cases named below; helpers from
/// `pkg/testing/functional.go`; conditions from `pkg/apis/autoscaling/v1alpha1/pa_lifecycle.go` and the living
/// condition set of `knative.dev/pkg/apis/condition_set.go`; the SKS from
/// `pkg/reconciler/autoscaling/resources/sks.go` `MakeSKS`).
@Suite struct PodAutoscalerReconcilerTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)
    static let nowText = "2026-11-30T00:53:20Z"
    static let earlier = "2026-11-29T00:00:00Z"
    static let deployment = "test-revision-deployment"

    /// `kpa(testNamespace, testRevision, …)`: Knative's `MakePA` of a revision, generation 1, class and metric set.
    static func pa(_ conditions: [KnativeCondition] = [], serviceName: String = "", metricsServiceName: String = "",
                   desired: Int32? = nil, actual: Int32? = nil, observedGeneration: Int64? = nil,
                   annotations: [String: String] = [:]) -> PodAutoscaler {
        var all = ["autoscaling.knative.dev/class": "inferscale.dev", "autoscaling.knative.dev/metric": "concurrency"]
        all.merge(annotations) { $1 }
        return PodAutoscaler(
            metadata: ObjectMeta(name: "test-revision", namespace: "test-namespace", uid: "pa-uid", resourceVersion: "5", generation: 1,
                                 labels: ["serving.knative.dev/revision": "test-revision"], annotations: all),
            spec: PodAutoscalerSpec(containerConcurrency: 0, scaleTargetRef: ScaleTargetReference(apiVersion: "apps/v1", kind: "Deployment", name: deployment),
                                    protocolType: "http1"),
            status: PodAutoscalerStatus(observedGeneration: observedGeneration, conditions: conditions.isEmpty ? nil : conditions, serviceName: serviceName,
                                        metricsServiceName: metricsServiceName, desiredScale: desired, actualScale: actual))
    }

    /// Conditions as `kpa(…)` leaves them after its options, every one set `earlier`.
    static func conditions(active: (String, String?, String?), initialized: Bool, sks: (String, String?, String?)) -> [KnativeCondition] {
        func c(_ type: String, _ s: (String, String?, String?)) -> KnativeCondition {
            KnativeCondition(type: type, status: s.0, lastTransitionTime: earlier, reason: s.1, message: s.2)
        }
        let deps = [active.0, initialized ? "True" : "Unknown", sks.0]
        let ready: (String, String?, String?) = deps.contains("False") ? ("False", active.1, active.2)
            : deps.allSatisfy { $0 == "True" } ? ("True", nil, nil) : ("Unknown", nil, nil)
        return [c("Active", active), c("Ready", ready), c("SKSReady", sks), c("ScaleTargetInitialized", (initialized ? "True" : "Unknown", nil, nil))]
    }

    /// `sks(testNamespace, testRevision, WithDeployRef(deployName), WithPubService, WithPrivateService, WithSKSReady, …)`.
    static func sks(mode: String, numActivators: Int32, ready: Bool, owner: String = "pa-uid") -> ServerlessService {
        var s = PodAutoscalerReconciler.makeSKS(for: pa(), mode: mode, numActivators: numActivators)
        s.metadata.resourceVersion = "7"
        s.metadata.ownerReferences?[0].uid = owner
        s.status = ServerlessServiceStatus(
            conditions: [KnativeCondition(type: "Ready", status: ready ? "True" : "Unknown", lastTransitionTime: earlier)],
            serviceName: "test-revision", privateServiceName: "test-revision-private")
        return s
    }

    static let queued: (String, String?, String?) = ("Unknown", "Queued", "Requests to the target are being buffered as resources are provisioned.")
    static let noTraffic: (String, String?, String?) = ("False", "NoTraffic", "The target is not receiving traffic.")

    @Test func makeSKSIsKnativesShape() {
        // MakeSKS: name and namespace of the PA, labels copied, annotations less the metric annotation, the PA as
        // controlling owner (kmeta.NewControllerRef: controller and blockOwnerDeletion true), mode, objectRef =
        // scaleTargetRef, protocolType, numActivators.
        let s = PodAutoscalerReconciler.makeSKS(for: Self.pa(), mode: "Proxy", numActivators: 2)
        #expect(s.apiVersion == "networking.internal.knative.dev/v1alpha1")
        #expect(s.kind == "ServerlessService")
        #expect(s.metadata.name == "test-revision")
        #expect(s.metadata.namespace == "test-namespace")
        #expect(s.metadata.labels == ["serving.knative.dev/revision": "test-revision"])
        #expect(s.metadata.annotations == ["autoscaling.knative.dev/class": "inferscale.dev"])
        #expect(s.metadata.ownerReferences == [OwnerReference(apiVersion: "autoscaling.internal.knative.dev/v1alpha1", kind: "PodAutoscaler",
                                                              name: "test-revision", uid: "pa-uid", controller: true, blockOwnerDeletion: true)])
        #expect(s.spec == ServerlessServiceSpec(mode: "Proxy", objectRef: ScaleTargetReference(apiVersion: "apps/v1", kind: "Deployment", name: Self.deployment),
                                                protocolType: "http1", numActivators: 2))
        #expect(s.status == nil)
    }

    /// Case "sks does not exist": the SKS is created in Proxy mode with 2 activators and no status; the PA says
    /// SKSReady=Unknown "No Private Service Name", Active=Unknown Queued, desired kept, actual 0.
    @Test func sksDoesNotExist() {
        let pa = Self.pa(Self.conditions(active: ("True", nil, nil), initialized: false, sks: ("Unknown", nil, nil)),
                         metricsServiceName: "test-revision-private", desired: 11, actual: 1)
        let r = PodAutoscalerReconciler.reconcile(pa: pa, sks: nil, observation: .init(want: -1, activatorInPath: true, readyPods: 0),
                                                  settings: .init(), problem: nil, now: Self.now)
        #expect(r.sks == .create(PodAutoscalerReconciler.makeSKS(for: pa, mode: "Proxy", numActivators: 2)))
        #expect(r.status.desiredScale == 11)
        #expect(r.status.actualScale == 0)
        #expect(r.status.metricsServiceName == "test-revision-private")
        #expect(r.status.serviceName == "")
        #expect(r.status.observedGeneration == 1)
        #expect(r.status.conditions == [
            KnativeCondition(type: "Active", status: "Unknown", lastTransitionTime: Self.nowText, reason: Self.queued.1, message: Self.queued.2),
            KnativeCondition(type: "Ready", status: "Unknown", lastTransitionTime: Self.nowText, reason: Self.queued.1, message: Self.queued.2),
            KnativeCondition(type: "SKSReady", status: "Unknown", lastTransitionTime: Self.nowText, reason: "NotReady", message: "No Private Service Name"),
            KnativeCondition(type: "ScaleTargetInitialized", status: "Unknown", lastTransitionTime: Self.earlier),
        ])
        #expect(r.statusChanged)
    }

    /// Case "steady state": nothing changes, so nothing is written (Knative skips the status update when equal).
    @Test func steadyStateWritesNothing() {
        let pa = Self.pa(Self.conditions(active: ("True", nil, nil), initialized: true, sks: ("True", nil, nil)),
                         serviceName: "test-revision", metricsServiceName: "test-revision-private", desired: 11, actual: 1,
                         observedGeneration: 1)
        let r = PodAutoscalerReconciler.reconcile(pa: pa, sks: Self.sks(mode: "Serve", numActivators: 3, ready: true),
                                                  observation: .init(want: 11, activatorInPath: false, readyPods: 1),
                                                  settings: .init(numActivators: 3), problem: nil, now: Self.now)
        #expect(r.sks == .none)
        #expect(r.mode == "Serve")
        #expect(!r.statusChanged)
        #expect(r.status == pa.status)
    }

    /// Case "pa activates": an inactive PA whose decider wants pods switches the SKS to Serve and goes Activating
    /// (Queued) until pods are ready; ScaleTargetInitialized stays True.
    @Test func paActivates() {
        let pa = Self.pa(Self.conditions(active: Self.noTraffic, initialized: true, sks: ("Unknown", nil, nil)),
                         serviceName: "test-revision", metricsServiceName: "test-revision-private", desired: 11, actual: 0)
        let proxy = Self.sks(mode: "Proxy", numActivators: 2, ready: true)
        let r = PodAutoscalerReconciler.reconcile(pa: pa, sks: proxy, observation: .init(want: 11, activatorInPath: false, readyPods: 0),
                                                  settings: .init(), problem: nil, now: Self.now)
        var serve = proxy
        serve.spec.mode = "Serve"
        #expect(r.sks == .update(serve))
        #expect(r.status.desiredScale == 11)
        #expect(r.status.actualScale == 0)
        #expect(r.status.conditions?.first { $0.type == "Active" } == KnativeCondition(
            type: "Active", status: "Unknown", lastTransitionTime: Self.nowText, reason: Self.queued.1, message: Self.queued.2))
        #expect(r.status.conditions?.first { $0.type == "SKSReady" }?.status == "True")
        #expect(r.status.conditions?.first { $0.type == "ScaleTargetInitialized" } == KnativeCondition(
            type: "ScaleTargetInitialized", status: "True", lastTransitionTime: Self.earlier))
        #expect(r.status.conditions?.first { $0.type == "Ready" }?.status == "Unknown")
        #expect(r.status.conditions?.first { $0.type == "Ready" }?.reason == "Queued")
    }

    /// Case "sks is still not ready": pods are up and Active=True, but the SKS is not Ready, so Ready stays
    /// Unknown with SKSReady's reason.
    @Test func sksStillNotReady() {
        let pa = Self.pa(Self.conditions(active: ("True", nil, nil), initialized: false, sks: ("Unknown", nil, nil)),
                         serviceName: "test-revision", metricsServiceName: "test-revision-private", desired: 11, actual: 0)
        let r = PodAutoscalerReconciler.reconcile(pa: pa, sks: Self.sks(mode: "Serve", numActivators: 4, ready: false),
                                                  observation: .init(want: 11, activatorInPath: false, readyPods: 11),
                                                  settings: .init(numActivators: 4), problem: nil, now: Self.now)
        #expect(r.sks == .none)
        #expect(r.status.desiredScale == 11 && r.status.actualScale == 11)
        let byType = Dictionary(uniqueKeysWithValues: (r.status.conditions ?? []).map { ($0.type, $0) })
        #expect(byType["Active"]?.status == "True")
        #expect(byType["ScaleTargetInitialized"]?.status == "True")
        #expect(byType["SKSReady"] == KnativeCondition(type: "SKSReady", status: "Unknown", lastTransitionTime: Self.nowText, reason: "NotReady", message: ""))
        #expect(byType["Ready"]?.status == "Unknown")
        #expect(byType["Ready"]?.reason == "NotReady")
    }

    /// The whole way to Ready: SKS ready, pods at initial scale, want > 0 and burst capacity to spare.
    @Test func becomesReadyAndServes() throws {
        let pa = Self.pa(Self.conditions(active: Self.queued, initialized: false, sks: ("Unknown", nil, nil)),
                         serviceName: "test-revision", metricsServiceName: "test-revision-private", desired: 1, actual: 0)
        let r = PodAutoscalerReconciler.reconcile(pa: pa, sks: Self.sks(mode: "Proxy", numActivators: 2, ready: true),
                                                  observation: .init(want: 1, activatorInPath: false, readyPods: 1),
                                                  settings: .init(), problem: nil, now: Self.now)
        #expect(r.mode == "Serve")
        for type in ["Active", "Ready", "SKSReady", "ScaleTargetInitialized"] {
            #expect(r.status.conditions?.first { $0.type == type }?.status == "True", "\(type)")
        }
        #expect(r.status.conditions?.first { $0.type == "Ready" }?.reason == nil)
    }

    /// A want of 0 puts the activator in the path and marks the PA inactive (Ready=False, NoTraffic), before
    /// the last pod goes.
    @Test func wantZeroProxiesAndGoesInactive() {
        let pa = Self.pa(Self.conditions(active: ("True", nil, nil), initialized: true, sks: ("True", nil, nil)),
                         serviceName: "test-revision", metricsServiceName: "test-revision-private", desired: 1, actual: 1)
        let serve = Self.sks(mode: "Serve", numActivators: 3, ready: true)
        let r = PodAutoscalerReconciler.reconcile(pa: pa, sks: serve, observation: .init(want: 0, activatorInPath: true, readyPods: 1),
                                                  settings: .init(numActivators: 3), problem: nil, now: Self.now)
        var proxy = serve
        proxy.spec.mode = "Proxy"
        #expect(r.sks == .update(proxy))
        #expect(r.status.desiredScale == 0)
        let byType = Dictionary(uniqueKeysWithValues: (r.status.conditions ?? []).map { ($0.type, $0) })
        #expect(byType["Active"] == KnativeCondition(type: "Active", status: "False", lastTransitionTime: Self.nowText, reason: Self.noTraffic.1, message: Self.noTraffic.2))
        #expect(byType["Ready"] == KnativeCondition(type: "Ready", status: "False", lastTransitionTime: Self.nowText, reason: Self.noTraffic.1, message: Self.noTraffic.2))
    }

    /// `ReconcileSKS`: an SKS of the PA's name that the PA does not control is left alone and reported
    /// (`MarkResourceNotOwned`).
    @Test func foreignSKSIsNotTouched() {
        let r = PodAutoscalerReconciler.reconcile(pa: Self.pa(), sks: Self.sks(mode: "Serve", numActivators: 2, ready: true, owner: "someone-else"),
                                                  observation: .init(want: 1, activatorInPath: false, readyPods: 1),
                                                  settings: .init(), problem: nil, now: Self.now)
        #expect(r.sks == .none)
        let active = r.status.conditions?.first { $0.type == "Active" }
        #expect(active?.status == "False")
        #expect(active?.reason == "NotOwned")
        #expect(active?.message == "There is an existing ServerlessService \"test-revision\" that we do not own.")
        #expect(r.status.conditions?.first { $0.type == "Ready" }?.reason == "NotOwned")
    }

    /// A PA inferscale cannot serve says why in Ready, and nothing else is written.
    @Test func problemMakesReadyFalseAndWritesNoSKS() {
        let problem = PodAutoscalerReconciler.Problem(reason: "InvalidAnnotation", message: "autoscaling.knative.dev/window: 2s is not valid")
        let r = PodAutoscalerReconciler.reconcile(pa: Self.pa(), sks: nil, observation: nil, settings: .init(), problem: problem, now: Self.now)
        #expect(r.sks == .none)
        #expect(r.mode == nil)
        let ready = r.status.conditions?.first { $0.type == "Ready" }
        #expect(ready == KnativeCondition(type: "Ready", status: "False", lastTransitionTime: Self.nowText, reason: "InvalidAnnotation",
                                          message: "autoscaling.knative.dev/window: 2s is not valid"))
        // Written again unchanged an hour later, the time stays: nothing to write.
        var again = Self.pa()
        again.status = r.status
        let second = PodAutoscalerReconciler.reconcile(pa: again, sks: nil, observation: nil, settings: .init(), problem: problem,
                                                       now: Self.now.addingTimeInterval(3600))
        #expect(!second.statusChanged)
    }

    /// `computeNumActivators`: (ready × total + TBC) ÷ activator capacity, rounded up, at least 2; 2 at TBC 0.
    @Test(arguments: [(0, 211.0, 3), (10, 200.0, 12), (11, 250.0, 14), (1, 0.0, 2), (5, -1.0, 5), (0, -1.0, 2)] as [(Int, Double, Int32)])
    func numActivators(ready: Int, tbc: Double, expected: Int32) {
        #expect(PodAutoscalerReconciler.numActivators(readyPods: ready, targetBurstCapacity: tbc, totalValue: 100, activatorCapacity: 100) == expected)
    }
}
