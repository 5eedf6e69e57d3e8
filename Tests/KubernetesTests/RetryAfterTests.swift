import Foundation
import KubernetesTestKit
import Testing

@testable import Kubernetes

/// `Retry-After` on 429 and 503 (RFC 9110 §10.2.3) read by the client and honoured, capped, by the scale writer and
/// the watches, against the fake API.
@Suite struct RetryAfterTests {
    @Test(arguments: [
        ("1", 1.0), (" 7 ", 7.0), ("0", 0.0), ("86400", 86_400.0),
    ])
    func delaySecondsAreRead(header: String, seconds: Double) {
        #expect(RetryAfter.seconds(header) == seconds)
    }

    @Test(arguments: ["", "-1", "1.5", "abc", "Wed, 21 Oct 2026 07:28:00 GMT", "86401", "99999999999999999999"])
    func anythingElseIsNoHint(header: String) {
        #expect(RetryAfter.seconds(header) == nil)
    }

    @Test func aThrottledErrorCarriesTheHint() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            server.failNextRequests(1, status: 429, retryAfter: "3")
            let throttled = await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "web") }
            #expect(throttled?.code == .tooManyRequests)
            #expect(throttled?.retryAfterSeconds == 3)
            #expect(throttled?.description.contains("Retry-After 3 s") == true)
            server.failNextRequests(1, status: 503, retryAfter: "2")
            #expect(await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "web") }?.retryAfterSeconds == 2)
            server.failNextRequests(1, status: 500, retryAfter: "2")  // only 429 and 503 carry a hint
            #expect(await kubernetesError { _ = try await client.getScale(namespace: "ml", deployment: "web") }?.retryAfterSeconds == nil)
        }
    }

    /// The backoff alone would retry after 10 ms; the server asked for 1 s, and the retry waits at least that.
    @Test func aScaleWriteWaitsAtLeastTheServersHint() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            server.failNextRequests(1, status: 429, retryAfter: "1")
            let updater = ScaleUpdater(
                api: client, configuration: .init(backoff: Backoff(initialSeconds: 0.01, maximumSeconds: 0.01, jitterFraction: 0)), jitter: { 0 })
            let result = try await updater.setReplicas(namespace: "ml", deployment: "web", replicas: 4)
            #expect(result.errors == 1)
            #expect(server.replicas(namespace: "ml", deployment: "web") == 4)
            let scaleRequests = server.requests.filter { $0.path.hasSuffix("/deployments/web/scale") }
            let throttled = try #require(scaleRequests.first { $0.status == 429 })
            let retry = try #require(scaleRequests.first { $0.status == 200 })
            #expect(retry.at - throttled.at >= .milliseconds(950))
        }
    }

    /// A hint past `maxRetryAfterSeconds` ends the write at once: no request before the server's time, and the next
    /// decide tick writes a fresh decision instead.
    @Test func aHintPastTheCapEndsTheWriteWithTheError() async throws {
        try await withFakeAPI { server, client in
            server.addDeployment(namespace: "ml", name: "web", replicas: 1, matchLabels: ["app": "web"])
            server.failNextRequests(5, status: 429, retryAfter: "120")
            let updater = ScaleUpdater(api: client, configuration: .init(maxRetryAfterSeconds: 10), jitter: { 0 })
            let error = await kubernetesError { _ = try await updater.setReplicas(namespace: "ml", deployment: "web", replicas: 4) }
            #expect(error?.code == .tooManyRequests)
            #expect(error?.retryAfterSeconds == 120)
            #expect(server.requests.filter { $0.path.hasSuffix("/deployments/web/scale") }.count == 1)
            #expect(server.replicas(namespace: "ml", deployment: "web") == 1)
        }
    }

    @Test func aWatchBacksOffAtLeastTheHintUpToItsMaximum() {
        var machine = WatchStateMachine(backoff: Backoff(initialSeconds: 0.5, maximumSeconds: 30, jitterFraction: 0))
        _ = machine.start()
        _ = machine.listed(resourceVersion: "100")
        #expect(machine.failed(jitter: 0, retryAfterSeconds: 4) == .backoff(seconds: 4))
        _ = machine.backoffElapsed()
        #expect(machine.failed(jitter: 0, retryAfterSeconds: 86_400) == .backoff(seconds: 30))
        _ = machine.backoffElapsed()
        #expect(machine.failed(jitter: 0, retryAfterSeconds: 0) == .backoff(seconds: 2))  // the backoff when longer
    }
}
