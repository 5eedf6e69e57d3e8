import Foundation
import Kubernetes
import KubernetesTestKit
import Testing

@Suite struct PodWatcherTests {
    /// Runs a watcher in a child task while `body` drives the fake, then cancels it.
    func withWatcher(
        _ server: FakeKubernetesAPIServer, _ client: KubernetesClient, selector: String? = "app=web",
        _ body: (TestRecorder<PodSetUpdate>) async throws -> Void
    ) async throws {
        let updates = TestRecorder<PodSetUpdate>()
        let watcher = PodWatcher(
            api: client, namespace: "ml", labelSelector: selector,
            backoff: Backoff(initialSeconds: 0.02, maximumSeconds: 0.2, jitterFraction: 0.1), jitter: { 0.5 })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watcher.run { updates.append($0) } }
            do {
                try await body(updates)
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    static func names(_ update: PodSetUpdate?) -> Set<String> { Set(update.map { Array($0.pods.keys) } ?? []) }

    @Test func seesAddedModifiedAndDeletedPods() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            server.setPod(namespace: "ml", name: "other", labels: ["app": "other"])
            try await withWatcher(server, client) { updates in
                try await updates.waitUntil("initial list") { $0.last?.change == .relisted }
                #expect(Self.names(updates.values.last) == ["web-1"])
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }

                server.setPod(namespace: "ml", name: "web-2", labels: ["app": "web"], ready: false)
                try await updates.waitUntil("web-2 added") { Self.names($0.last) == ["web-1", "web-2"] }
                guard case .added(let added) = updates.values.last?.change else { return #expect(Bool(false)) }
                #expect(!added.isReady)

                server.setPod(namespace: "ml", name: "web-2", labels: ["app": "web"], ready: true, podIP: "10.0.0.2")
                let afterReady = try await updates.waitUntil("web-2 ready") { $0.last?.pods["web-2"]?.isReady == true }
                #expect(afterReady.last?.pods["web-2"]?.status?.podIP == "10.0.0.2")

                server.deletePod(namespace: "ml", name: "web-1")
                try await updates.waitUntil("web-1 deleted") { Self.names($0.last) == ["web-2"] }
                // The pod was first marked for deletion (not ready any more), then removed.
                let changes = updates.values.map(\.change)
                #expect(changes.contains { if case .modified(let pod) = $0 { pod.metadata.deletionTimestamp != nil } else { false } })
                #expect(changes.contains { if case .deleted(let pod) = $0 { pod.metadata.name == "web-1" } else { false } })
                // Pods outside the selector never showed up.
                #expect(!updates.values.contains { $0.pods["other"] != nil })
                // A pod whose labels leave the selection is delivered as deleted.
                server.setPod(namespace: "ml", name: "web-2", labels: ["app": "moved"])
                try await updates.waitUntil("web-2 left the selection") { Self.names($0.last).isEmpty }
            }
        }
    }

    @Test func resumesFromTheLastVersionAfterTheStreamIsClosed() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            try await withWatcher(server, client) { updates in
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }
                server.setPod(namespace: "ml", name: "web-2", labels: ["app": "web"])
                try await updates.waitUntil("web-2") { Self.names($0.last) == ["web-1", "web-2"] }
                let versionBefore = try #require(updates.values.last?.resourceVersion)

                server.closeWatches()
                // Changes made while no watch is open must arrive once the watch resumes.
                server.setPod(namespace: "ml", name: "web-3", labels: ["app": "web"])
                try await updates.waitUntil("web-3 after resume") { Self.names($0.last) == ["web-1", "web-2", "web-3"] }
                server.endWatches()
                server.setPod(namespace: "ml", name: "web-4", labels: ["app": "web"])
                try await updates.waitUntil("web-4 after a clean end") { Self.names($0.last).count == 4 }

                // Resumed watches, not relists: one list only, and a watch from the version seen before the close.
                #expect(server.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/pods") && !$0.query.contains("watch=") }.count == 1)
                #expect(server.requests.contains { $0.query.contains("resourceVersion=\(versionBefore)") && $0.query.contains("watch=1") })
                #expect(updates.values.filter { $0.change == .relisted }.count == 1)
            }
        }
    }

    @Test func goneLeadsToARelist() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            try await withWatcher(server, client) { updates in
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }
                // Writes outside the selection move the store past the watcher's version; a compaction then makes
                // that version too old, so resuming gets the 410 ERROR event.
                server.setPod(namespace: "ml", name: "other", labels: ["app": "other"])
                server.compact()
                server.closeWatches()
                server.delete(.pods, namespace: "ml", name: "web-1")
                server.setPod(namespace: "ml", name: "web-5", labels: ["app": "web"])
                try await updates.waitUntil("relist after 410") { $0.filter { $0.change == .relisted }.count >= 2 }
                try await updates.waitUntil("state after relist") { Self.names($0.last) == ["web-5"] }
            }
        }
    }

    @Test func errorEventLeadsToARelist() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            try await withWatcher(server, client) { updates in
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }
                server.sendWatchError(code: 500, reason: "InternalError", message: "etcd is unhappy")
                try await updates.waitUntil("relist after ERROR") { $0.filter { $0.change == .relisted }.count == 2 }
            }
        }
    }

    @Test func bookmarksAdvanceTheResumeVersion() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            try await withWatcher(server, client) { updates in
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }
                // Changes outside the selection move the resourceVersion without events for this watch.
                for index in 0..<3 { server.setPod(namespace: "ml", name: "other-\(index)", labels: ["app": "other"]) }
                let bookmarked = server.resourceVersion
                server.sendBookmarks()
                server.endWatches()
                try await server.waitUntil("watch resumed from the bookmark") {
                    $0.requests.contains { $0.query.contains("resourceVersion=\(bookmarked)") && $0.query.contains("watch=1") }
                }
                #expect(updates.values.filter { $0.change == .relisted }.count == 1)
            }
        }
    }

    @Test func serverErrorsOnListAreRetriedWithBackoff() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            server.failNextRequests(3)
            try await withWatcher(server, client) { updates in
                try await updates.waitUntil("list after failures") { $0.last?.change == .relisted }
                #expect(Self.names(updates.values.last) == ["web-1"])
                #expect(server.requests.filter { $0.status == 500 }.count == 3)
                // Nothing is lost: a change after the failures arrives.
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }
                server.setPod(namespace: "ml", name: "web-2", labels: ["app": "web"])
                try await updates.waitUntil("web-2") { Self.names($0.last) == ["web-1", "web-2"] }
            }
        }
    }

    @Test func malformedAndOversizedEventsBreakOnlyThatWatch() async throws {
        try await withFakeAPI(configure: { $0.limits.maxWatchEventBytes = 64 * 1024 }) { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            try await withWatcher(server, client) { updates in
                try await server.waitUntil("watch open") { $0.openWatchCount == 1 }
                server.sendRawOnWatches(Data("{\"type\":\"ADDED\",\"object\":{\"metadata\":[1,2]}}\n".utf8))
                try await server.waitUntil("watch reopened after garbage") {
                    $0.requests.filter { $0.query.contains("watch=1") }.count == 2 && $0.openWatchCount == 1
                }
                // One megabyte without a newline: refused at the limit, not buffered.
                server.sendRawOnWatches(Data(repeating: UInt8(ascii: "x"), count: 1024 * 1024))
                try await server.waitUntil("watch reopened after a huge line") {
                    $0.requests.filter { $0.query.contains("watch=1") }.count == 3 && $0.openWatchCount == 1
                }
                server.setPod(namespace: "ml", name: "web-2", labels: ["app": "web"])
                try await updates.waitUntil("later changes still arrive") { Self.names($0.last) == ["web-1", "web-2"] }
                #expect(updates.values.filter { $0.change == .relisted }.count == 1)
            }
        }
    }

    @Test func watchFromACompactedVersionGetsOneExpiredErrorThenEnds() async throws {
        try await withFakeAPI { server, client in
            server.setPod(namespace: "ml", name: "web-1", labels: ["app": "web"])
            let old = String(server.resourceVersion)
            server.setPod(namespace: "ml", name: "web-2", labels: ["app": "web"])
            server.compact()
            var events: [WatchEvent<Pod>] = []
            for try await event in try await client.watchPods(namespace: "ml", labelSelector: nil, resourceVersion: old) {
                events.append(event)
            }
            #expect(events.count == 1)
            #expect(events.first?.type == .error)
            #expect(events.first?.status?.code == 410)
            #expect(events.first?.status?.reason == "Expired")
        }
    }

    @Test func forbiddenWatchIsReportedWithThePermission() async throws {
        try await withFakeAPI { server, client in
            server.setRBAC([FakeRBACRule(apiGroups: [""], resources: ["pods"], verbs: ["list"])])
            let error = await kubernetesError { _ = try await client.watchPods(namespace: "ml", labelSelector: nil, resourceVersion: "1") }
            #expect(error?.code == .forbidden)
            #expect(error?.missingPermission == RBACPermission(verb: "watch", group: "", resource: "pods", namespace: "ml"))
            #expect(error?.message.contains("cannot watch resource \"pods\" in API group \"\" in the namespace \"ml\"") == true)
        }
    }
}
