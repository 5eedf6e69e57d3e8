import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A fake Kubernetes API server for tests: real HTTP/1.1 on 127.0.0.1 with an ephemeral port, keeping the real
/// server's semantics as recorded in shared/reference/kubernetes-api.md — resourceVersion on every write, 409 on
/// stale writes, 422 for Lease updates without resourceVersion, 403 per RBAC rule, Status bodies, chunked watch
/// streams with ADDED/MODIFIED/DELETED/BOOKMARK/ERROR and 410 for compacted resourceVersions — plus fault
/// injection and inspection helpers. docs/kubernetes.md lists what it does not cover.
public final class FakeKubernetesAPIServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let store = NIOLockedValueBox(FakeClusterStore())
    private let waiters = NIOLockedValueBox<[Int: AsyncStream<Void>.Continuation]>([:])
    private let waiterIDs = NIOLockedValueBox(0)

    /// The port the server listens on (127.0.0.1).
    public let port: Int
    /// Whether the server speaks TLS.
    public let usesTLS: Bool

    /// `http://127.0.0.1:<port>` (or `https://…` with TLS), for `KubernetesClientConfiguration.server`.
    public var baseURL: String { "\(usesTLS ? "https" : "http")://127.0.0.1:\(port)" }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, port: Int, usesTLS: Bool) {
        self.group = group
        self.channel = channel
        self.port = port
        self.usesTLS = usesTLS
    }

    /// Starts a server on 127.0.0.1 with an ephemeral port; plain HTTP, or TLS when `tls` is given.
    public static func start(tls: FakeTLS? = nil) async throws -> FakeKubernetesAPIServer {
        let sslContext: NIOSSLContext?
        if let tls {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(tls.certificateChainPEM.utf8)).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(tls.privateKeyPEM.utf8), format: .pem)))
            if let clientCA = tls.clientCAPEM {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCA.utf8)))
                configuration.certificateVerification = .noHostnameVerification
            }
            sslContext = try NIOSSLContext(configuration: configuration)
        } else {
            sslContext = nil
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = NIOLockedValueBox<FakeKubernetesAPIServer?>(nil)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        guard let server = box.withLockedValue({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                        if let sslContext {
                            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                        }
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(FakeAPIHandler(server: server))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = channel.localAddress?.port else {
                try? await channel.close()
                throw ChannelError.unknownLocalAddress
            }
            let server = FakeKubernetesAPIServer(group: group, channel: channel, port: port, usesTLS: tls != nil)
            box.withLockedValue { $0 = server }
            return server
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Closes every connection and stops the server.
    public func shutdown() async throws {
        store.withLockedValue { $0.dropWatchers(abruptly: true) }
        try? await channel.close()
        try await group.shutdownGracefully()
        let pending = waiters.withLockedValue { waiters in
            defer { waiters.removeAll() }
            return Array(waiters.values)
        }
        pending.forEach { $0.finish() }
    }

    // MARK: Serving

    func dispatch(head: HTTPRequestHead, body: Data, channel: any Channel) {
        let (path, query) = Self.split(uri: head.uri)
        let request = FakeClusterStore.Request(
            method: head.method.rawValue, path: path, query: query, authorization: head.headers.first(name: "Authorization"),
            contentType: head.headers.first(name: "Content-Type"), body: body, userAgent: head.headers.first(name: "User-Agent"))
        let sink = FakeWatchSink(channel: channel)
        let (reply, delay) = store.withLockedValue { store -> (FakeClusterStore.Reply, Duration?) in
            let isWatch = query["watch"] == "true" || query["watch"] == "1"
            var delay: Duration?
            if !isWatch, store.delaysRemaining > 0 {
                store.delaysRemaining -= 1
                delay = store.delay
            }
            return (store.handle(request, sink: sink), delay)
        }
        switch reply {
        case .json(let status, let body):
            respond(on: channel, status: status, body: body, delay: delay)
        case .retryLater(let status, let body, let retryAfter):
            respond(on: channel, status: status, body: body, delay: delay, retryAfter: retryAfter)
        case .watchStarted(let id, let timeoutSeconds):
            if let id, let timeoutSeconds {
                channel.eventLoop.scheduleTask(in: .seconds(timeoutSeconds)) { [self] in
                    store.withLockedValue { $0.endWatch(id: id) }
                }
            }
        }
        notifyWaiters()
    }

    func respond(on channel: any Channel, status: Int, body: JSONValue, delay: Duration?, retryAfter: String? = nil) {
        let data = body.serialized()
        let send: @Sendable () -> Void = {
            var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(data.count))
            if let retryAfter { head.headers.add(name: "Retry-After", value: retryAfter) }
            channel.write(HTTPServerResponsePart.head(head), promise: nil)
            channel.write(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: data))), promise: nil)
            channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
        }
        if let delay, delay > .zero {
            channel.eventLoop.scheduleTask(in: .nanoseconds(Self.nanoseconds(delay))) { send() }
        } else {
            send()
        }
    }

    func channelClosed(_ channel: any Channel) {
        store.withLockedValue { $0.removeWatchers(on: ObjectIdentifier(channel)) }
    }

    static func split(uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
            query[name] = value
        }
        return (String(uri[..<mark]), query)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    // MARK: Waiting

    private func notifyWaiters() {
        let current = waiters.withLockedValue { Array($0.values) }
        for continuation in current { continuation.yield() }
    }

    /// Waits until `condition` holds, re-checking after every request and every change made through this API.
    /// - Throws: `FakeTimeoutError` after `timeout`.
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(10), _ condition: @escaping @Sendable (FakeKubernetesAPIServer) -> Bool
    ) async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = waiterIDs.withLockedValue { id in
            id += 1
            return id
        }
        waiters.withLockedValue { $0[id] = continuation }
        defer { waiters.withLockedValue { _ = $0.removeValue(forKey: id) } }
        let timer = group.next().scheduleTask(in: .nanoseconds(Self.nanoseconds(timeout))) { continuation.finish() }
        defer { timer.cancel() }
        if condition(self) { return }
        for await _ in stream {
            if condition(self) { return }
        }
        if condition(self) { return }
        throw FakeTimeoutError(what: what, timeout: timeout)
    }

    private func mutate<T>(_ body: (inout FakeClusterStore) -> T) -> T {
        let result = store.withLockedValue(body)
        notifyWaiters()
        return result
    }

    // MARK: Objects

    /// Creates or replaces an object as an out-of-band writer would (new resourceVersion, watch events); returns
    /// the stored object.
    /// On Deployments and LeaderWorkerSets the write is recorded in `metadata.managedFields` as `manager`'s
    /// (default `manager`, KServe's controller).
    @discardableResult
    public func put(_ resource: FakeResource, namespace: String, object: JSONValue, manager: String = "manager") -> JSONValue {
        mutate { store in
            guard let name = object[path: ["metadata", "name"]]?.stringValue else { return object }
            store.writer = FakeManagedFields.Writer(manager: manager)
            let previous = store.objects[resource]?[store.key(namespace, name)]
            var object = object
            object["kind"] = .string(resource.kind)
            object["apiVersion"] = .string(resource.apiVersion)
            object[path: ["metadata", "namespace"]] = .string(namespace)
            object[path: ["metadata", "uid"]] =
                previous?[path: ["metadata", "uid"]] ?? .string(UUID().uuidString.lowercased())
            object[path: ["metadata", "creationTimestamp"]] =
                previous?[path: ["metadata", "creationTimestamp"]] ?? .string(FakeClusterStore.timestamp())
            return store.write(resource, namespace: namespace, name: name, object: object, previous: previous)
        }
    }

    /// The stored object, or nil.
    public func object(_ resource: FakeResource, namespace: String, name: String) -> JSONValue? {
        store.withLockedValue { $0.objects[resource]?[$0.key(namespace, name)] }
    }

    /// All stored objects of a resource in a namespace, sorted by name.
    public func objects(_ resource: FakeResource, namespace: String) -> [JSONValue] {
        store.withLockedValue { store in
            (store.objects[resource] ?? [:]).filter { $0.key.hasPrefix(namespace + "/") }.sorted { $0.key < $1.key }.map(\.value)
        }
    }

    /// Deletes an object (a DELETED watch event with a new resourceVersion). Returns false when it did not exist.
    @discardableResult
    public func delete(_ resource: FakeResource, namespace: String, name: String) -> Bool {
        mutate { store in
            guard let previous = store.objects[resource]?[store.key(namespace, name)] else { return false }
            store.write(resource, namespace: namespace, name: name, object: nil, previous: previous)
            return true
        }
    }

    /// Adds or replaces a pod.
    /// - Parameters:
    ///   - phase: `Pending`, `Running`, …
    ///   - ready: whether condition `Ready` is "True".
    @discardableResult
    public func setPod(
        namespace: String, name: String, labels: [String: String], phase: String = "Running", ready: Bool = true,
        podIP: String? = "10.0.0.1"
    ) -> JSONValue {
        var pod: JSONValue = [
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues { .string($0) })],
            "spec": ["containers": [["name": "server", "image": "example/model:1"]]],
            "status": [
                "phase": .string(phase),
                "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]],
            ],
        ]
        if let podIP { pod[path: ["status", "podIP"]] = .string(podIP) }
        return put(.pods, namespace: namespace, object: pod)
    }

    /// Deletes a pod as the API server does for a running pod: a MODIFIED with `deletionTimestamp`, then DELETED.
    public func deletePod(namespace: String, name: String) {
        mutate { store in
            guard var pod = store.objects[.pods]?[store.key(namespace, name)] else { return }
            let previous = pod
            pod[path: ["metadata", "deletionTimestamp"]] = .string(FakeClusterStore.timestamp())
            let marked = store.write(.pods, namespace: namespace, name: name, object: pod, previous: previous)
            store.write(.pods, namespace: namespace, name: name, object: nil, previous: marked)
        }
    }

    /// Adds a Deployment with `replicas` and a `matchLabels` selector.
    @discardableResult
    public func addDeployment(namespace: String, name: String, replicas: Int, matchLabels: [String: String]) -> JSONValue {
        put(
            .deployments, namespace: namespace,
            object: [
                "metadata": ["name": .string(name), "generation": 1],
                "spec": [
                    "replicas": .int(Int64(replicas)),
                    "selector": ["matchLabels": .object(matchLabels.mapValues { .string($0) })],
                ],
                "status": [:],
            ])
    }

    /// `spec.replicas` of a Deployment, or nil when it does not exist.
    public func replicas(namespace: String, deployment: String) -> Int? {
        object(.deployments, namespace: namespace, name: deployment)?[path: ["spec", "replicas"]]?.intValue.map { Int($0) }
    }

    /// Changes a Deployment's replicas out of band (another writer), bumping its resourceVersion. The write is
    /// `manager`'s through `/scale` in managedFields: by default an HPA's (`kube-controller-manager`).
    public func setReplicas(namespace: String, deployment: String, replicas: Int, manager: String = "kube-controller-manager") {
        mutate { store in
            let key = store.key(namespace, deployment)
            guard let previous = store.objects[.deployments]?[key] else { return }
            var object = previous
            object[path: ["spec", "replicas"]] = .int(Int64(replicas))
            store.writer = FakeManagedFields.Writer(manager: manager, subresource: "scale")
            store.write(.deployments, namespace: namespace, name: deployment, object: object, previous: previous)
        }
    }

    /// The current (latest) resourceVersion.
    public var resourceVersion: Int64 { store.withLockedValue { $0.resourceVersion } }

    // MARK: Inspection

    /// Every request received, in order.
    public var requests: [FakeRequestRecord] { store.withLockedValue { $0.requests } }

    /// Every successful write of replicas through `/scale`, in order, with timestamps.
    public var scaleWrites: [FakeScaleWrite] { store.withLockedValue { $0.scaleWrites } }
    /// Pods the modelled ReplicaSet controller deleted on scale-downs (see `enableReplicaSetDeletion`), in order.
    public var podsDeletedByReplicaSet: [String] { store.withLockedValue { $0.deletedByReplicaSet } }

    /// Makes a Deployment's scale-down delete its surplus pods in the ReplicaSet controller's order (not ready
    /// first, then lowest `controller.kubernetes.io/pod-deletion-cost`, then newest). Off by default: tests that
    /// manage pods themselves keep them.
    public func enableReplicaSetDeletion(_ on: Bool = true) {
        mutate { $0.replicaSetDeletion = on }
    }

    /// Removes a resource as an uninstalled CRD does: every request for it gets 404 `the server could not find
    /// the requested resource` (e.g. KEDA's ScaledObjects on a cluster without KEDA).
    public func uninstall(_ resource: FakeResource) {
        mutate { _ = $0.uninstalled.insert(resource) }
    }

    /// Adds an autoscaling/v2 HorizontalPodAutoscaler (or, with `resource: .scaledObjects`, a KEDA ScaledObject)
    /// named `name` whose `scaleTargetRef` is the Deployment `target`.
    @discardableResult
    public func addAutoscaler(_ resource: FakeResource = .horizontalPodAutoscalers, namespace: String, name: String, target: String,
                              targetKind: String = "Deployment") -> JSONValue {
        put(resource, namespace: namespace, object: [
            "metadata": ["name": .string(name)],
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": .string(targetKind), "name": .string(target)],
                "minReplicas": 1, "maxReplicas": 10,
            ],
        ])
    }


    /// Number of requests with this method whose path ends with `suffix`.
    public func requestCount(method: String, pathSuffix: String) -> Int {
        store.withLockedValue { $0.requests.filter { $0.method == method && $0.path.hasSuffix(pathSuffix) }.count }
    }

    /// Number of watches currently open.
    public var openWatchCount: Int { store.withLockedValue { $0.watchers.count } }

    // MARK: Access control

    /// Restricts requests to these RBAC rules; nil (the default) allows everything.
    public func setRBAC(_ rules: [FakeRBACRule]?) {
        mutate { $0.rbacRules = rules }
    }

    /// Requires `Authorization: Bearer <token>` with one of these tokens (401 otherwise, 403 as
    /// `system:anonymous` without a header); nil (the default) accepts any request.
    public func setAcceptedTokens(_ tokens: Set<String>?) {
        mutate { $0.acceptedTokens = tokens }
    }

    /// The user name used in 403 messages.
    public func setUserName(_ name: String) {
        mutate { $0.userName = name }
    }

    // MARK: Fault injection

    /// Answers the next `count` requests (watches included) with `status` (500 by default) and a Status body, with
    /// `Retry-After: retryAfter` when given. A 429 carries `Retry-After: 1` unless told otherwise, as API Priority
    /// and Fairness answers a throttled request; pass "" for none.
    public func failNextRequests(_ count: Int, status: Int = 500, retryAfter: String? = nil) {
        mutate {
            $0.failuresRemaining = count
            $0.failureStatus = status
            let header = retryAfter ?? (status == 429 ? "1" : "")
            $0.failureRetryAfter = header.isEmpty ? nil : header
        }
    }

    /// Delays the next `count` non-watch responses by `delay` (for client timeouts).
    public func delayNextResponses(_ count: Int, by delay: Duration) {
        mutate {
            $0.delaysRemaining = count
            $0.delay = delay
        }
    }

    /// Before each of the next `count` scale writes, another writer modifies the Deployment, so a write carrying
    /// the resourceVersion the client just read gets a genuine 409 Conflict.
    public func conflictNextScaleWrites(_ count: Int) {
        mutate { $0.staleBeforeScaleWrites = count }
    }

    /// Drops every open watch connection without ending the response (as a crashed server or proxy would).
    public func closeWatches() {
        mutate { $0.dropWatchers(abruptly: true) }
    }

    /// Ends every open watch cleanly (as the server does at `timeoutSeconds`).
    public func endWatches() {
        mutate { $0.dropWatchers(abruptly: false) }
    }

    /// Sends a BOOKMARK with the current resourceVersion to every watch that allowed bookmarks.
    public func sendBookmarks() {
        mutate { $0.sendBookmarks() }
    }

    /// Sends an ERROR event (410 Expired by default) on every open watch and ends them.
    public func sendWatchError(code: Int = 410, reason: String = "Expired", message: String = "too old resource version") {
        mutate { $0.sendWatchError(code: code, reason: reason, message: message) }
    }

    /// Writes `data` as it is on every open watch: malformed JSON, an endless line, … (hostile-server tests).
    public func sendRawOnWatches(_ data: Data) {
        mutate { $0.sendRaw(data) }
    }

    /// Forgets the event history, as an etcd compaction does: a watch from any older resourceVersion gets 410.
    public func compact() {
        mutate { store in
            store.history.removeAll()
            store.oldestWatchableVersion = store.resourceVersion
        }
    }
}
