import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

@Suite struct ScaleClientTests {
    @Test func getAndPatchScale() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "llm-predictor", replicas: 2, matchLabels: ["app": "llm"])
            let scale = try await client.getScale(namespace: "ml", deployment: "llm-predictor")
            #expect(scale.replicas == 2)
            #expect(scale.status?.selector == "app=llm")
            #expect(scale.metadata.uid != nil)
            let version = try #require(scale.metadata.resourceVersion)

            let patched = try await client.patchScale(namespace: "ml", deployment: "llm-predictor", replicas: 5, resourceVersion: version)
            #expect(patched.replicas == 5)
            #expect(patched.metadata.resourceVersion != version)
            #expect(server.replicas(namespace: "ml", deployment: "llm-predictor") == 5)
            #expect(server.scaleWrites.map(\.replicas) == [5])

            // The old resourceVersion is now stale: a conditional write is refused with 409.
            let stale = await kubernetesError {
                _ = try await client.patchScale(namespace: "ml", deployment: "llm-predictor", replicas: 1, resourceVersion: version)
            }
            #expect(stale?.code == .conflict)
            #expect(stale?.httpStatus == 409)
            #expect(stale?.status?.details?.kind == "deployments")
            #expect(server.replicas(namespace: "ml", deployment: "llm-predictor") == 5)

            // Without a resourceVersion the last writer wins.
            _ = try await client.patchScale(namespace: "ml", deployment: "llm-predictor", replicas: 1, resourceVersion: nil)
            #expect(server.replicas(namespace: "ml", deployment: "llm-predictor") == 1)
        }
    }

    @Test func updaterRetriesConflictsWithAFreshRead() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 2, matchLabels: ["app": "web"])
            server.conflictNextScaleWrites(2)
            let updater = ScaleUpdater(api: client, jitter: { 0 })
            let result = try await updater.setReplicas(namespace: "ml", deployment: "web", replicas: 4)
            #expect(result.changed)
            #expect(result.conflicts == 2)
            #expect(result.previousReplicas == 2 && result.replicas == 4)
            #expect(server.replicas(namespace: "ml", deployment: "web") == 4)
            // One GET per attempt: the retry read afresh instead of reusing the stale version.
            #expect(server.requestCount(method: "GET", pathSuffix: "/deployments/web/scale") == 3)
            #expect(server.requestCount(method: "PATCH", pathSuffix: "/deployments/web/scale") == 3)
        }
    }

    @Test func updaterGivesUpAfterBoundedConflicts() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 2, matchLabels: ["app": "web"])
            server.conflictNextScaleWrites(100)
            let updater = ScaleUpdater(api: client, configuration: .init(maxConflictRetries: 3), jitter: { 0 })
            let error = await kubernetesError { _ = try await updater.setReplicas(namespace: "ml", deployment: "web", replicas: 4) }
            #expect(error?.code == .conflict)
            #expect(server.requestCount(method: "PATCH", pathSuffix: "/deployments/web/scale") == 4)
        }
    }

    @Test func updaterSkipsThePatchWhenReplicasAlreadyMatch() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 3, matchLabels: ["app": "web"])
            let result = try await ScaleUpdater(api: client).setReplicas(namespace: "ml", deployment: "web", replicas: 3)
            #expect(!result.changed)
            #expect(server.scaleWrites.isEmpty)
        }
    }

    @Test func serverErrorsAreRetriedWithBackoffAndTheUpdateIsNotLost() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            server.failNextRequests(3, status: 500)
            let updater = ScaleUpdater(
                api: client,
                configuration: .init(maxErrorRetries: 5, backoff: Backoff(initialSeconds: 0.01, maximumSeconds: 0.05, jitterFraction: 0.2)),
                jitter: { 0.5 })
            let started = ContinuousClock.now
            let result = try await updater.setReplicas(namespace: "ml", deployment: "web", replicas: 6)
            #expect(result.errors == 3)
            #expect(server.replicas(namespace: "ml", deployment: "web") == 6)
            #expect(server.scaleWrites.map(\.replicas) == [6])
            // Backoff happened: 0.011 + 0.022 + 0.044 s at least.
            #expect(ContinuousClock.now - started >= .milliseconds(77))
            #expect(server.requests.filter { $0.status == 500 }.count == 3)
        }
    }

    @Test func serverErrorsBeyondTheRetryBudgetAreThrown() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            server.failNextRequests(10, status: 503)
            let updater = ScaleUpdater(
                api: client, configuration: .init(maxErrorRetries: 2, backoff: Backoff(initialSeconds: 0.001, maximumSeconds: 0.01)),
                jitter: { 0 })
            let error = await kubernetesError { _ = try await updater.setReplicas(namespace: "ml", deployment: "web", replicas: 6) }
            #expect(error?.code == .serverError)
            #expect(error?.httpStatus == 503)
            #expect(error?.isRetryable == true)
            #expect(server.replicas(namespace: "ml", deployment: "web") == 1)
        }
    }

    @Test func forbiddenNamesTheMissingPermission() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            server.setUserName("system:serviceaccount:ml:inferscale")
            // get on deployments/scale, but no patch (and a grant on the main resource does not help).
            server.setRBAC([
                FakeRBACRule(apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get"]),
                FakeRBACRule(apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"]),
            ])
            _ = try await client.getScale(namespace: "ml", deployment: "web")
            let error = await kubernetesError {
                _ = try await ScaleUpdater(api: client).setReplicas(namespace: "ml", deployment: "web", replicas: 3)
            }
            let forbidden = try #require(error)
            #expect(forbidden.code == .forbidden)
            #expect(forbidden.httpStatus == 403)
            #expect(
                forbidden.missingPermission
                    == RBACPermission(verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: "ml"))
            #expect(
                forbidden.message
                    == "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:ml:inferscale\" cannot patch resource \"deployments/scale\" in API group \"apps\" in the namespace \"ml\"")
            let text = forbidden.description
            #expect(text.contains("PATCH \(server.baseURL)/apis/apps/v1/namespaces/ml/deployments/web/scale"))
            #expect(text.contains("Missing RBAC permission: verb \"patch\" on \"deployments/scale\" in API group \"apps\" in namespace \"ml\""))
            #expect(text.contains("{apiGroups: [\"apps\"], resources: [\"deployments/scale\"], verbs: [\"patch\"]}"))
            // The subject the server refused and the kind of grant the shipped manifests use.
            #expect(forbidden.forbiddenSubject == RBACSubject(kind: "ServiceAccount", name: "inferscale", namespace: "ml"))
            #expect(text.contains("ServiceAccount ml/inferscale"))
            #expect(text.contains("the ClusterRole inferscale (deploy/base/rbac.yaml)"))
            #expect(server.replicas(namespace: "ml", deployment: "web") == 1)
        }
    }

    @Test func notFoundAndInvalid() async throws {
        try await withFakeAPI { server, client in
            let missing = await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "nope") }
            #expect(missing?.code == .notFound)
            #expect(missing?.message == "deployments/scale.apps \"nope\" not found")
            let missingPatch = await kubernetesError {
                _ = try await client.patchScale(namespace: "ml", deployment: "nope", replicas: 1, resourceVersion: nil)
            }
            #expect(missingPatch?.message == "deployments.apps \"nope\" not found")
            #expect(missingPatch?.status?.details?.kind == "deployments")

            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            let invalid = await kubernetesError {
                _ = try await client.patchScale(namespace: "ml", deployment: "web", replicas: -1, resourceVersion: nil)
            }
            #expect(invalid?.code == .invalid)
            #expect(invalid?.httpStatus == 422)
            #expect(invalid?.status?.details?.causes?.first?.field == "spec.replicas")
        }
    }

    @Test func slowResponsesTimeOutWithASpecificError() async throws {
        try await withFakeAPI(configure: { $0.timeouts.request = .milliseconds(500) }) { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            // Far past the 500 ms deadline: with a 3 s delay, a process stalled for seconds (CI, 2 cores) saw
            // the answer and the deadline fall due together, and the answer won.
            server.delayNextResponses(1, by: .seconds(30))
            let error = await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "web") }
            #expect(error?.code == .timeout)
            #expect(error?.isRetryable == true)
            // The client stays usable: a later request is answered normally. On a loaded machine one loopback
            // request can itself pass 500 ms, so a few tries are allowed (each still bounded by the deadline).
            var answered: Scale?
            for _ in 0..<5 where answered == nil {
                answered = try? await client.getScale(namespace: "ml", deployment: "web")
            }
            #expect(answered?.replicas == 1)
        }
    }

    @Test func listsArePagedAndBounded() async throws {
        try await withFakeAPI(configure: { $0.limits.listPageSize = 2 }) { server, client in
            for index in 0..<5 { server.setPod(namespace: "ml", name: "web-\(index)", labels: ["app": "web"]) }
            let version = String(server.resourceVersion)
            let pods = try await client.listPods(namespace: "ml", labelSelector: "app=web")
            #expect(pods.items.compactMap(\.metadata.name) == (0..<5).map { "web-\($0)" })
            #expect(pods.metadata.resourceVersion == version)
            #expect(server.requestCount(method: "GET", pathSuffix: "/namespaces/ml/pods") == 3)
        }
        try await withFakeAPI(configure: {
            $0.limits.listPageSize = 1
            $0.limits.maxListPages = 3
        }) { server, client in
            for index in 0..<5 { server.setPod(namespace: "ml", name: "web-\(index)", labels: ["app": "web"]) }
            let error = await kubernetesError { _ = try await client.listPods(namespace: "ml", labelSelector: nil) }
            #expect(error?.code == .responseTooLarge)
            #expect(server.requestCount(method: "GET", pathSuffix: "/namespaces/ml/pods") == 3)
        }
    }

    @Test func oversizedResponsesAreRefused() async throws {
        try await withFakeAPI(configure: { $0.limits.maxResponseBodyBytes = 2048 }) { server, client in
            for index in 0..<40 {
                server.setPod(namespace: "ml", name: "pod-with-a-rather-long-name-\(index)", labels: ["app": "web"])
            }
            let error = await kubernetesError { _ = try await client.listPods(namespace: "ml", labelSelector: "app=web") }
            #expect(error?.code == .responseTooLarge)
        }
    }
}

/// The subject of a 403 as the API server words it (messages observed on a real kube-apiserver,
/// /work/shared/reference/kubernetes-api.md).
@Suite struct RBACSubjectTests {
    @Test(arguments: [
        ("pods is forbidden: User \"system:serviceaccount:inferscale-system:inferscale\" cannot watch resource \"pods\" in API group \"\" in the namespace \"ml\"",
         RBACSubject(kind: "ServiceAccount", name: "inferscale", namespace: "inferscale-system")),
        ("deployments.apps \"web\" is forbidden: User \"limited\" cannot get resource \"deployments/scale\" in API group \"apps\" in the namespace \"as-e2e2\"",
         RBACSubject(kind: "User", name: "limited")),
        ("namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope",
         RBACSubject(kind: "User", name: "system:anonymous")),
    ])
    func subjectFromMessage(message: String, subject: RBACSubject) {
        #expect(RBACSubject(forbiddenMessage: message) == subject)
    }

    @Test func noSubjectInMessage() {
        #expect(RBACSubject(forbiddenMessage: "forbidden") == nil)
        #expect(RBACSubject(forbiddenMessage: "User \"unterminated") == nil)
    }

    @Test func leasesAreGrantedByTheRole() {
        let lease = RBACPermission(verb: "update", group: "coordination.k8s.io", resource: "leases", namespace: "inferscale-system")
        #expect(lease.shippedGrant.contains("Role inferscale-leader-election"))
        let scale = RBACPermission(verb: "patch", group: "apps", resource: "deployments", subresource: "scale", namespace: "ml")
        #expect(scale.shippedGrant.contains("ClusterRole inferscale"))
    }
}
