import Foundation

/// The fake's state and API semantics. Not thread-safe by itself: `FakeKubernetesAPIServer` holds it under a lock
/// and every method runs with the lock held, so watch registration and event delivery never race.
struct FakeClusterStore {
    struct Watcher {
        var resource: FakeResource
        var namespace: String
        var selector: FakeLabelSelector
        var bookmarks: Bool
        var sink: FakeWatchSink
    }

    struct HistoryEntry {
        var resourceVersion: Int64
        var resource: FakeResource
        var namespace: String
        var type: String
        var object: JSONValue
        var previous: JSONValue?
    }

    /// The reply to one request.
    enum Reply {
        case json(Int, JSONValue)
        /// An injected failure that asks the client to wait (`Retry-After`, seconds or as given).
        case retryLater(Int, JSONValue, retryAfter: String)
        /// A watch began; when `timeoutSeconds` is set the server ends it after that long.
        case watchStarted(id: Int?, timeoutSeconds: Int64?)
    }

    struct Request {
        var method: String
        var path: String
        var query: [String: String]
        var authorization: String?
        var contentType: String?
        var body: Data
        var userAgent: String? = nil
    }

    var resourceVersion: Int64 = 1000
    var objects: [FakeResource: [String: JSONValue]] = [:]
    var history: [HistoryEntry] = []
    /// Watches from a resourceVersion below this get 410 (as after an etcd compaction).
    var oldestWatchableVersion: Int64 = 0
    var historyLimit = 10_000
    var watchers: [Int: Watcher] = [:]
    var nextID = 0

    var rbacRules: [FakeRBACRule]?
    var acceptedTokens: Set<String>?
    var userName = "system:serviceaccount:inferscale:inferscale"

    var failuresRemaining = 0
    var failureStatus = 500
    var failureRetryAfter: String?
    var delaysRemaining = 0
    var delay: Duration = .zero
    var staleBeforeScaleWrites = 0
    /// Resources whose CRD is not installed: every request for them gets 404, as from a real API server.
    var uninstalled: Set<FakeResource> = []
    /// When on, a Deployment scaled down deletes its surplus pods as the ReplicaSet controller ranks them.
    var replicaSetDeletion = false

    var requests: [FakeRequestRecord] = []
    /// Pods deleted by the modelled ReplicaSet controller, in order.
    var deletedByReplicaSet: [String] = []
    var scaleWrites: [FakeScaleWrite] = []
    let requestLogLimit = 100_000
    /// The field manager of the write being handled: the request's, or an out-of-band writer's (by default KServe's
    /// controller, whose binary is `manager`).
    var writer = FakeManagedFields.Writer(manager: "manager")

    // MARK: Request handling

    mutating func handle(_ request: Request, sink: FakeWatchSink) -> Reply {
        // The API server names a write's manager by `?fieldManager=`, else by the User-Agent up to its first "/".
        let agent = request.userAgent.flatMap { $0.split(separator: "/").first.map(String.init) }
        writer = FakeManagedFields.Writer(
            manager: request.query["fieldManager"] ?? agent ?? "unknown", subresource: FakeRoute.parse(path: request.path)?.subresource)
        let reply = route(request, sink: sink)
        let status: Int
        switch reply {
        case .json(let code, _), .retryLater(let code, _, _): status = code
        case .watchStarted: status = 200
        }
        if requests.count < requestLogLimit {
            requests.append(
                FakeRequestRecord(
                    method: request.method, path: request.path,
                    query: request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&"),
                    status: status, at: .now))
        }
        return reply
    }

    private mutating func route(_ request: Request, sink: FakeWatchSink) -> Reply {
        var user = userName
        if let acceptedTokens {
            guard let header = request.authorization, header.hasPrefix("Bearer ") else {
                user = "system:anonymous"
                return forbidden(route: FakeRoute.parse(path: request.path), verb: verbFor(request), user: user, fallbackPath: request.path)
            }
            guard acceptedTokens.contains(String(header.dropFirst("Bearer ".count))) else {
                return .json(401, Self.status(code: 401, reason: "Unauthorized", message: "Unauthorized"))
            }
        }
        if failuresRemaining > 0 {
            failuresRemaining -= 1
            let body = Self.status(code: failureStatus, reason: failureStatus == 429 ? "TooManyRequests" : "InternalError",
                                   message: "injected failure (fake API server)")
            if let failureRetryAfter { return .retryLater(failureStatus, body, retryAfter: failureRetryAfter) }
            return .json(failureStatus, body)
        }
        if request.method == "GET", let document = discovery(path: request.path) { return document }
        guard let route = FakeRoute.parse(path: request.path), !uninstalled.contains(route.resource) else {
            return .json(404, Self.status(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        let verb = verbFor(request)
        let ruleResource = route.subresource.map { "\(route.resource.plural)/\($0)" } ?? route.resource.plural
        if let rbacRules,
            !rbacRules.contains(where: { $0.allows(verb: verb, group: route.resource.group, resource: ruleResource, namespace: route.namespace) })
        {
            return forbidden(route: route, verb: verb, user: user, fallbackPath: request.path)
        }
        if route.subresource == "status", FakeResource.withStatusSubresource.contains(route.resource), let name = route.name {
            return status(request, resource: route.resource, namespace: route.namespace, name: name)
        }
        if let subresource = route.subresource {
            guard FakeResource.scalable.contains(route.resource), subresource == "scale", let name = route.name else {
                return .json(404, Self.status(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
            }
            return scale(request, resource: route.resource, namespace: route.namespace, name: name)
        }
        switch (request.method, route.name) {
        case ("GET", nil):
            if request.query["watch"] == "true" || request.query["watch"] == "1" {
                return watch(request, route: route, sink: sink)
            }
            return list(request, route: route)
        case ("GET", let name?):
            guard let object = objects[route.resource]?[key(route.namespace, name)] else { return notFound(route.resource, name) }
            return .json(200, object)
        case ("POST", nil):
            return create(request, route: route)
        case ("PUT", let name?):
            return update(request, route: route, name: name)
        case ("PATCH", let name?):
            return patch(request, route: route, name: name)
        case ("DELETE", let name?):
            guard let object = objects[route.resource]?[key(route.namespace, name)] else { return notFound(route.resource, name) }
            let deleted = write(route.resource, namespace: route.namespace, name: name, object: nil, previous: object)
            return .json(200, deleted)
        default:
            return .json(405, Self.status(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource"))
        }
    }

    /// `GET /api/v1` or `/apis/{group}/{version}`: the `APIResourceList` of the resources served there (an
    /// uninstalled CRD's are not), 404 when none is. Not subject to the RBAC rules: Kubernetes' `system:discovery`
    /// grants discovery to every authenticated user. Nil when `path` is not a discovery path.
    private func discovery(path: String) -> Reply? {
        let parts = path.split(separator: "/").map(String.init)
        let groupVersion: String
        if parts.count == 2, parts[0] == "api" { groupVersion = parts[1] }
        else if parts.count == 3, parts[0] == "apis" { groupVersion = "\(parts[1])/\(parts[2])" }
        else { return nil }
        let served = FakeResource.all.filter { $0.apiVersion == groupVersion && !uninstalled.contains($0) }
        guard !served.isEmpty else {
            return .json(404, Self.status(code: 404, reason: "NotFound", message: "the server could not find the requested resource"))
        }
        let resources = served.map { resource -> JSONValue in
            ["name": .string(resource.plural), "namespaced": true, "kind": .string(resource.kind)]
        }
        return .json(200, ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)])
    }

    private func verbFor(_ request: Request) -> String {
        let route = FakeRoute.parse(path: request.path)
        switch request.method {
        case "GET":
            if route?.name != nil { return "get" }
            return request.query["watch"] == "true" || request.query["watch"] == "1" ? "watch" : "list"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return "delete"
        default: return request.method.lowercased()
        }
    }

    // MARK: Verbs

    private mutating func list(_ request: Request, route: FakeRoute) -> Reply {
        guard let selector = selector(request) else { return badSelector(request) }
        let items = (objects[route.resource] ?? [:])
            .filter { $0.key.hasPrefix(route.namespace + "/") && selector.matches(object: $0.value) }
            .sorted { $0.key < $1.key }
            .map(\.value)
        // Paging: `limit` and an opaque `continue` token (here the offset and the list's resourceVersion).
        var start = 0
        var listVersion = resourceVersion
        if let token = request.query["continue"], !token.isEmpty {
            let parts = token.split(separator: "-").compactMap { Int64($0) }
            guard parts.count == 2, parts[0] >= 0 else {
                return .json(400, Self.status(code: 400, reason: "BadRequest", message: "invalid continue token"))
            }
            start = Int(min(parts[0], Int64(items.count)))
            listVersion = parts[1]
        }
        var page = Array(items[start...])
        var metadata: JSONValue = ["resourceVersion": .string(String(listVersion))]
        if let limit = request.query["limit"].flatMap(Int.init), limit > 0, page.count > limit {
            page = Array(page.prefix(limit))
            metadata["continue"] = .string("\(start + limit)-\(listVersion)")
        }
        return .json(
            200,
            [
                "kind": .string(route.resource.kind + "List"), "apiVersion": .string(route.resource.apiVersion),
                "metadata": metadata, "items": .array(page),
            ])
    }

    private mutating func watch(_ request: Request, route: FakeRoute, sink: FakeWatchSink) -> Reply {
        guard let selector = selector(request) else { return badSelector(request) }
        let requested = request.query["resourceVersion"] ?? ""
        if !requested.isEmpty, requested != "0", Int64(requested) == nil {
            return .json(400, Self.status(code: 400, reason: "BadRequest", message: "invalid resource version: \(requested)"))
        }
        sink.start()
        if let from = Int64(requested), from != 0 {
            if from < oldestWatchableVersion {
                // As observed: 200, one ERROR event with code 410, then the stream closes.
                sink.send([
                    "type": "ERROR",
                    "object": Self.status(
                        code: 410, reason: "Expired", message: "too old resource version: \(from) (\(oldestWatchableVersion))"),
                ])
                sink.finish()
                return .watchStarted(id: nil, timeoutSeconds: nil)
            }
            for entry in history where entry.resourceVersion > from && entry.resource == route.resource && entry.namespace == route.namespace {
                if let event = Self.event(for: entry, selector: selector) { sink.send(event) }
            }
        } else {
            // No resourceVersion (or "0"): synthetic ADDED events for the current state, then changes.
            for (_, object) in (objects[route.resource] ?? [:]).filter({ $0.key.hasPrefix(route.namespace + "/") }).sorted(by: { $0.key < $1.key })
            where selector.matches(object: object) {
                sink.send(["type": "ADDED", "object": object])
            }
        }
        let id = nextID
        nextID += 1
        watchers[id] = Watcher(
            resource: route.resource, namespace: route.namespace, selector: selector,
            bookmarks: request.query["allowWatchBookmarks"] == "true", sink: sink)
        let timeout = request.query["timeoutSeconds"].flatMap(Int64.init).flatMap { $0 > 0 ? $0 : nil }
        return .watchStarted(id: id, timeoutSeconds: timeout)
    }

    private mutating func create(_ request: Request, route: FakeRoute) -> Reply {
        guard var object = try? JSONValue.parse(request.body), case .object = object else {
            return .json(400, Self.status(code: 400, reason: "BadRequest", message: "the request body is not a JSON object"))
        }
        if let namespace = object[path: ["metadata", "namespace"]]?.stringValue, namespace != route.namespace {
            return .json(
                400, Self.status(code: 400, reason: "BadRequest", message: "the namespace of the provided object does not match the namespace sent on the request"))
        }
        var name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue {
            name = prefix + String(String(resourceVersion + 1, radix: 36).suffix(5))
        }
        guard !name.isEmpty else {
            return .json(422, Self.invalid(route.resource, name: "", field: "metadata.name", detail: "Required value: name or generateName is required"))
        }
        if objects[route.resource]?[key(route.namespace, name)] != nil {
            return .json(
                409,
                Self.status(
                    code: 409, reason: "AlreadyExists", message: "\(route.resource.qualifiedName) \"\(name)\" already exists",
                    details: ["name": .string(name), "group": .string(route.resource.group), "kind": .string(route.resource.plural)]))
        }
        if let problem = validate(route.resource, object: object, name: name) { return .json(422, problem) }
        object[path: ["metadata", "name"]] = .string(name)
        object[path: ["metadata", "namespace"]] = .string(route.namespace)
        object[path: ["metadata", "uid"]] = .string(UUID().uuidString.lowercased())
        object[path: ["metadata", "creationTimestamp"]] = .string(Self.timestamp())
        if route.resource == .deployments { object[path: ["metadata", "generation"]] = 1 }
        if FakeResource.withStatusSubresource.contains(route.resource) {
            // With a status subresource, a create's status is dropped (the API server resets it).
            object["status"] = nil
            object[path: ["metadata", "generation"]] = 1
        }
        object["kind"] = .string(route.resource.kind)
        object["apiVersion"] = .string(route.resource.apiVersion)
        return .json(201, write(route.resource, namespace: route.namespace, name: name, object: object, previous: nil))
    }

    private mutating func update(_ request: Request, route: FakeRoute, name: String) -> Reply {
        guard var object = try? JSONValue.parse(request.body), case .object = object else {
            return .json(400, Self.status(code: 400, reason: "BadRequest", message: "the request body is not a JSON object"))
        }
        guard let current = objects[route.resource]?[key(route.namespace, name)] else { return notFound(route.resource, name) }
        let given = object[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        if given.isEmpty {
            if route.resource == .leases {
                return .json(
                    422,
                    Self.invalid(route.resource, name: name, field: "metadata.resourceVersion", detail: "Invalid value: 0x0: must be specified for an update"))
            }
        } else if let problem = checkVersion(given, current: current, resource: route.resource, name: name) {
            return problem
        }
        if let problem = validate(route.resource, object: object, name: name) { return .json(422, problem) }
        for field in ["uid", "creationTimestamp", "name", "namespace"] {
            object[path: ["metadata", field]] = current[path: ["metadata", field]]
        }
        object["kind"] = .string(route.resource.kind)
        object["apiVersion"] = .string(route.resource.apiVersion)
        if FakeResource.withStatusSubresource.contains(route.resource) {
            // The main resource does not write the status; only `/status` does.
            object["status"] = current["status"]
        }
        if route.resource == .deployments || FakeResource.withStatusSubresource.contains(route.resource) {
            let generation = current[path: ["metadata", "generation"]]?.intValue ?? 1
            object[path: ["metadata", "generation"]] = .int(object["spec"] == current["spec"] ? generation : generation + 1)
        }
        return .json(200, write(route.resource, namespace: route.namespace, name: name, object: object, previous: current))
    }

    private mutating func patch(_ request: Request, route: FakeRoute, name: String) -> Reply {
        guard let contentType = request.contentType, contentType.hasPrefix("application/merge-patch+json") || contentType.hasPrefix("application/strategic-merge-patch+json") else {
            return .json(415, Self.status(code: 415, reason: "UnsupportedMediaType", message: "415: Unsupported Media Type"))
        }
        guard let patch = try? JSONValue.parse(request.body), case .object = patch else {
            return .json(400, Self.status(code: 400, reason: "BadRequest", message: "the request body is not a JSON object"))
        }
        guard let current = objects[route.resource]?[key(route.namespace, name)] else { return notFound(route.resource, name) }
        if let given = patch[path: ["metadata", "resourceVersion"]]?.stringValue,
            let problem = checkVersion(given, current: current, resource: route.resource, name: name)
        {
            return problem
        }
        var object = current.merging(patch: patch)
        object[path: ["metadata", "resourceVersion"]] = current[path: ["metadata", "resourceVersion"]]
        if let problem = validate(route.resource, object: object, name: name) { return .json(422, problem) }
        if FakeResource.withStatusSubresource.contains(route.resource) { object["status"] = current["status"] }
        if route.resource == .deployments || FakeResource.withStatusSubresource.contains(route.resource), object["spec"] != current["spec"] {
            object[path: ["metadata", "generation"]] = .int((current[path: ["metadata", "generation"]]?.intValue ?? 1) + 1)
        }
        return .json(200, write(route.resource, namespace: route.namespace, name: name, object: object, previous: current))
    }

    /// GET, PATCH (merge) and PUT of `{deployments|leaderworkersets}/{name}/scale`.
    private mutating func scale(_ request: Request, resource: FakeResource, namespace: String, name: String) -> Reply {
        guard var current = objects[resource]?[key(namespace, name)] else {
            if request.method == "GET" {
                return .json(
                    404,
                    Self.status(
                        code: 404, reason: "NotFound", message: "\(resource.plural)/scale.\(resource.group) \"\(name)\" not found",
                        details: ["name": .string(name), "group": .string(resource.group), "kind": .string("\(resource.plural)/scale")]))
            }
            return notFound(resource, name)
        }
        switch request.method {
        case "GET":
            return .json(200, Self.scaleObject(of: current))
        case "PATCH", "PUT":
            if request.method == "PATCH",
                !(request.contentType ?? "").hasPrefix("application/merge-patch+json")
                    && !(request.contentType ?? "").hasPrefix("application/strategic-merge-patch+json")
            {
                return .json(415, Self.status(code: 415, reason: "UnsupportedMediaType", message: "415: Unsupported Media Type"))
            }
            guard let body = try? JSONValue.parse(request.body), case .object = body else {
                return .json(400, Self.status(code: 400, reason: "BadRequest", message: "the request body is not a JSON object"))
            }
            if staleBeforeScaleWrites > 0 {
                // Fault hook: another writer changes the Deployment first, so the client's resourceVersion is stale.
                staleBeforeScaleWrites -= 1
                var changed = current
                changed[path: ["metadata", "annotations", "fake.inferscale.io/touched"]] = .string(String(resourceVersion + 1))
                let request = writer
                writer = FakeManagedFields.Writer(manager: "fake-other-writer")
                current = write(resource, namespace: namespace, name: name, object: changed, previous: current)
                writer = request
            }
            if let given = body[path: ["metadata", "resourceVersion"]]?.stringValue,
                let problem = checkVersion(given, current: current, resource: resource, name: name)
            {
                return problem
            }
            let replicasValue = body[path: ["spec", "replicas"]]
            var replicas = current[path: ["spec", "replicas"]]?.intValue ?? 1
            if let replicasValue {
                guard let value = replicasValue.intValue else {
                    return .json(400, Self.status(code: 400, reason: "BadRequest", message: "spec.replicas must be an integer"))
                }
                guard value >= 0 else {
                    var status = Self.status(
                        code: 422, reason: "Invalid",
                        message: "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: \(value): must be greater than or equal to 0")
                    status["details"] = [
                        "name": .string(name), "group": "autoscaling", "kind": "Scale",
                        "causes": [["reason": "FieldValueInvalid", "message": .string("Invalid value: \(value): must be greater than or equal to 0"), "field": "spec.replicas"]],
                    ]
                    return .json(422, status)
                }
                replicas = value
            }
            var updated = current
            updated[path: ["spec", "replicas"]] = .int(replicas)
            updated[path: ["metadata", "generation"]] = .int((current[path: ["metadata", "generation"]]?.intValue ?? 1) + 1)
            let written = write(resource, namespace: namespace, name: name, object: updated, previous: current)
            scaleWrites.append(FakeScaleWrite(namespace: namespace, name: name, replicas: Int(replicas), at: .now))
            if replicaSetDeletion, resource == .deployments {
                deleteSurplusPods(of: written, namespace: namespace, keep: Int(replicas))
            }
            return .json(200, Self.scaleObject(of: written))
        default:
            return .json(405, Self.status(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource"))
        }
    }

    /// GET and PUT of `{podautoscalers|serverlessservices}/{name}/status`: a PUT replaces only `status` (spec,
    /// labels and annotations in the body are ignored, as the API server's status strategy does), is guarded by
    /// `metadata.resourceVersion` (409 when stale) and leaves `metadata.generation` alone.
    private mutating func status(_ request: Request, resource: FakeResource, namespace: String, name: String) -> Reply {
        guard let current = objects[resource]?[key(namespace, name)] else { return notFound(resource, name) }
        switch request.method {
        case "GET":
            return .json(200, current)
        case "PUT":
            guard let body = try? JSONValue.parse(request.body), case .object = body else {
                return .json(400, Self.status(code: 400, reason: "BadRequest", message: "the request body is not a JSON object"))
            }
            if let given = body[path: ["metadata", "resourceVersion"]]?.stringValue, !given.isEmpty,
                let problem = checkVersion(given, current: current, resource: resource, name: name)
            {
                return problem
            }
            var updated = current
            updated["status"] = body["status"] ?? .object([:])
            return .json(200, write(resource, namespace: namespace, name: name, object: updated, previous: current))
        default:
            return .json(405, Self.status(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource"))
        }
    }

    // MARK: Writes and watch delivery

    /// Stores (or deletes, with `object` nil) an object under a new resourceVersion and tells the watchers.
    @discardableResult
    mutating func write(_ resource: FakeResource, namespace: String, name: String, object: JSONValue?, previous: JSONValue?) -> JSONValue {
        resourceVersion += 1
        var stored = object ?? previous ?? .object([:])
        if object != nil, FakeResource.scalable.contains(resource) {
            FakeManagedFields.record(&stored, previous: previous, by: writer, apiVersion: resource.apiVersion, at: Self.timestamp())
        }
        stored[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let type: String
        let objectKey = key(namespace, name)
        if object == nil {
            objects[resource]?[objectKey] = nil
            type = "DELETED"
        } else {
            objects[resource, default: [:]][objectKey] = stored
            type = previous == nil ? "ADDED" : "MODIFIED"
        }
        let entry = HistoryEntry(
            resourceVersion: resourceVersion, resource: resource, namespace: namespace, type: type, object: stored, previous: previous)
        history.append(entry)
        if history.count > historyLimit {
            history.removeFirst(history.count - historyLimit)
            oldestWatchableVersion = (history.first?.resourceVersion ?? resourceVersion) - 1
        }
        for watcher in watchers.values where watcher.resource == resource && watcher.namespace == namespace {
            if let event = Self.event(for: entry, selector: watcher.selector) { watcher.sink.send(event) }
        }
        return stored
    }

    /// The event a watcher with `selector` sees for a change: objects entering the selection are ADDED, leaving it
    /// DELETED, as the real watch cache does.
    static func event(for entry: HistoryEntry, selector: FakeLabelSelector) -> JSONValue? {
        let now = selector.matches(object: entry.object)
        let before = entry.previous.map { selector.matches(object: $0) } ?? false
        switch entry.type {
        case "DELETED":
            return now || before ? ["type": "DELETED", "object": entry.object] : nil
        case "ADDED":
            return now ? ["type": "ADDED", "object": entry.object] : nil
        default:
            if now && before { return ["type": "MODIFIED", "object": entry.object] }
            if now { return ["type": "ADDED", "object": entry.object] }
            if before { return ["type": "DELETED", "object": entry.object] }
            return nil
        }
    }

    mutating func dropWatchers(abruptly: Bool) {
        for watcher in watchers.values {
            if abruptly { watcher.sink.abort() } else { watcher.sink.finish() }
        }
        watchers.removeAll()
    }

    mutating func endWatch(id: Int) {
        watchers.removeValue(forKey: id)?.sink.finish()
    }

    mutating func removeWatchers(on channelID: ObjectIdentifier) {
        watchers = watchers.filter { ObjectIdentifier($0.value.sink.channel) != channelID }
    }

    mutating func sendBookmarks() {
        for watcher in watchers.values where watcher.bookmarks {
            watcher.sink.send([
                "type": "BOOKMARK",
                "object": [
                    "kind": .string(watcher.resource.kind), "apiVersion": .string(watcher.resource.apiVersion),
                    "metadata": ["resourceVersion": .string(String(resourceVersion))],
                ],
            ])
        }
    }

    func sendRaw(_ data: Data) {
        for watcher in watchers.values { watcher.sink.sendRaw(data) }
    }

    mutating func sendWatchError(code: Int, reason: String, message: String) {
        for watcher in watchers.values {
            watcher.sink.send(["type": "ERROR", "object": Self.status(code: code, reason: reason, message: message)])
            watcher.sink.finish()
        }
        watchers.removeAll()
    }

    // MARK: Helpers

    func key(_ namespace: String, _ name: String) -> String { "\(namespace)/\(name)" }

    static func labels(of object: JSONValue) -> [String: String] {
        object[path: ["metadata", "labels"]]?.stringMap ?? [:]
    }

    private func selector(_ request: Request) -> FakeLabelSelector? {
        var selector = FakeLabelSelector.everything
        if let text = request.query["labelSelector"], !text.isEmpty {
            guard let parsed = FakeLabelSelector(text) else { return nil }
            selector = parsed
        }
        if let field = request.query["fieldSelector"], !field.isEmpty {
            // The only field selector inferscale sends; others are refused as the docs list them not covered.
            let prefix = field.hasPrefix("metadata.name==") ? "metadata.name==" : "metadata.name="
            guard field.hasPrefix(prefix), !field.dropFirst(prefix.count).contains(",") else { return nil }
            selector.name = String(field.dropFirst(prefix.count))
        }
        return selector
    }

    private func badSelector(_ request: Request) -> Reply {
        .json(400, Self.status(code: 400, reason: "BadRequest",
                               message: "unable to parse requirement: \(request.query["labelSelector"] ?? request.query["fieldSelector"] ?? "")"))
    }

    private func checkVersion(_ given: String, current: JSONValue, resource: FakeResource, name: String) -> Reply? {
        guard Int64(given) != nil else {
            // The observed 1.23 quirk: a non-numeric resourceVersion is a 500 with Go's parse error.
            return .json(500, Self.status(code: 500, reason: nil, message: "strconv.ParseUint: parsing \"\(given)\": invalid syntax"))
        }
        guard given == current[path: ["metadata", "resourceVersion"]]?.stringValue else {
            return .json(
                409,
                Self.status(
                    code: 409, reason: "Conflict",
                    message: "Operation cannot be fulfilled on \(resource.qualifiedName) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                    details: ["name": .string(name), "group": .string(resource.group), "kind": .string(resource.plural)]))
        }
        return nil
    }

    private func validate(_ resource: FakeResource, object: JSONValue, name: String) -> JSONValue? {
        if !name.isEmpty, !Self.isDNSSubdomain(name) {
            return Self.invalid(
                resource, name: name, field: "metadata.name",
                detail: "Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
        }
        if resource == .leases, let duration = object[path: ["spec", "leaseDurationSeconds"]]?.intValue, duration <= 0 {
            return Self.invalid(resource, name: name, field: "spec.leaseDurationSeconds", detail: "Invalid value: \(duration): must be greater than 0")
        }
        if resource == .deployments, let replicas = object[path: ["spec", "replicas"]]?.intValue, replicas < 0 {
            return Self.invalid(resource, name: name, field: "spec.replicas", detail: "Invalid value: \(replicas): must be greater than or equal to 0")
        }
        return nil
    }

    static func isDNSSubdomain(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        return alnum(bytes.first!) && alnum(bytes.last!) && bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 46 }
    }

    private func notFound(_ resource: FakeResource, _ name: String) -> Reply {
        .json(
            404,
            Self.status(
                code: 404, reason: "NotFound", message: "\(resource.qualifiedName) \"\(name)\" not found",
                details: ["name": .string(name), "group": .string(resource.group), "kind": .string(resource.plural)]))
    }

    private func forbidden(route: FakeRoute?, verb: String, user: String, fallbackPath: String) -> Reply {
        guard let route else {
            return .json(403, Self.status(code: 403, reason: "Forbidden", message: "forbidden: User \"\(user)\" cannot \(verb) path \"\(fallbackPath)\""))
        }
        let resourceName = route.subresource.map { "\(route.resource.plural)/\($0)" } ?? route.resource.plural
        let subject = route.name.map { "\(route.resource.qualifiedName) \"\($0)\"" } ?? route.resource.qualifiedName
        var details: JSONValue = ["kind": .string(route.resource.plural)]
        if let name = route.name { details["name"] = .string(name) }
        if !route.resource.group.isEmpty { details["group"] = .string(route.resource.group) }
        return .json(
            403,
            Self.status(
                code: 403, reason: "Forbidden",
                message: "\(subject) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resourceName)\" in API group \"\(route.resource.group)\" in the namespace \"\(route.namespace)\"",
                details: details))
    }

    static func status(code: Int, reason: String?, message: String, details: JSONValue? = nil) -> JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message),
            "code": .int(Int64(code)),
        ]
        if let reason { status["reason"] = .string(reason) }
        if let details { status["details"] = details }
        return status
    }

    static func invalid(_ resource: FakeResource, name: String, field: String, detail: String) -> JSONValue {
        // As observed: Leases are named by resource (`leases.coordination.k8s.io`), other kinds by Kind.group.
        let subject =
            resource == .leases ? resource.qualifiedName : (resource.group.isEmpty ? resource.kind : "\(resource.kind).\(resource.group)")
        return status(
            code: 422, reason: "Invalid", message: "\(subject) \"\(name)\" is invalid: \(field): \(detail)",
            details: [
                "name": .string(name), "group": .string(resource.group), "kind": .string(resource.kind),
                "causes": [["reason": "FieldValueInvalid", "message": .string(detail), "field": .string(field)]],
            ])
    }

    /// Deletes the pods of `deployment` beyond `keep`, in the ReplicaSet controller's order: pods not ready first,
    /// then the lowest `controller.kubernetes.io/pod-deletion-cost` (default 0), then the newest
    /// (Kubernetes `pkg/controller/replicaset/replica_set.go` `getPodsToDelete` with `ActivePodsWithRanks` from
    /// `pkg/controller/controller_utils.go`; the pod-deletion-cost ranking is documented under ReplicaSet in the
    /// Kubernetes docs). Unscheduled and pending pods, which the real ranking also puts first, are not modelled.
    private mutating func deleteSurplusPods(of deployment: JSONValue, namespace: String, keep: Int) {
        let matchLabels = deployment[path: ["spec", "selector", "matchLabels"]]?.stringMap ?? [:]
        guard !matchLabels.isEmpty else { return }
        let pods = (objects[.pods] ?? [:]).filter { $0.key.hasPrefix(namespace + "/") }.map(\.value).filter { pod in
            let labels = pod[path: ["metadata", "labels"]]?.stringMap ?? [:]
            return matchLabels.allSatisfy { labels[$0.key] == $0.value } && pod[path: ["metadata", "deletionTimestamp"]] == nil
        }
        guard pods.count > keep else { return }
        func ready(_ pod: JSONValue) -> Bool {
            guard case .array(let conditions)? = pod[path: ["status", "conditions"]] else { return false }
            return conditions.contains { $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True" }
        }
        func cost(_ pod: JSONValue) -> Int64 {
            Int64(pod[path: ["metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"]]?.stringValue ?? "") ?? 0
        }
        let ranked = pods.sorted { a, b in
            if ready(a) != ready(b) { return !ready(a) }
            if cost(a) != cost(b) { return cost(a) < cost(b) }
            let ca = a[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "", cb = b[path: ["metadata", "creationTimestamp"]]?.stringValue ?? ""
            if ca != cb { return ca > cb }
            return (a[path: ["metadata", "name"]]?.stringValue ?? "") < (b[path: ["metadata", "name"]]?.stringValue ?? "")
        }
        for pod in ranked.prefix(pods.count - keep) {
            guard let name = pod[path: ["metadata", "name"]]?.stringValue else { continue }
            deletedByReplicaSet.append(name)
            write(.pods, namespace: namespace, name: name, object: nil, previous: pod)
        }
    }

    static func scaleObject(of workload: JSONValue) -> JSONValue {
        var scale = scaleFields(of: workload)
        scale[path: ["metadata", "managedFields"]] = FakeManagedFields.scaleView(of: workload)
        return scale
    }

    private static func scaleFields(of workload: JSONValue) -> JSONValue {
        let deployment = workload
        // A LeaderWorkerSet's CRD names its selector at .status.hpaPodSelector; a Deployment's comes from its spec.
        if workload["kind"]?.stringValue == FakeResource.leaderWorkerSets.kind {
            return [
                "kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": [
                    "name": workload[path: ["metadata", "name"]] ?? .null,
                    "namespace": workload[path: ["metadata", "namespace"]] ?? .null,
                    "uid": workload[path: ["metadata", "uid"]] ?? .null,
                    "resourceVersion": workload[path: ["metadata", "resourceVersion"]] ?? .null,
                ],
                "spec": ["replicas": workload[path: ["spec", "replicas"]] ?? 1],
                "status": [
                    "replicas": workload[path: ["status", "replicas"]] ?? 0,
                    "selector": workload[path: ["status", "hpaPodSelector"]] ?? "",
                ],
            ]
        }
        let matchLabels = deployment[path: ["spec", "selector", "matchLabels"]]?.stringMap ?? [:]
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": [
                "name": deployment[path: ["metadata", "name"]] ?? .null,
                "namespace": deployment[path: ["metadata", "namespace"]] ?? .null,
                "uid": deployment[path: ["metadata", "uid"]] ?? .null,
                "resourceVersion": deployment[path: ["metadata", "resourceVersion"]] ?? .null,
                "creationTimestamp": deployment[path: ["metadata", "creationTimestamp"]] ?? .null,
            ],
            "spec": ["replicas": deployment[path: ["spec", "replicas"]] ?? 1],
            "status": [
                "replicas": deployment[path: ["status", "replicas"]] ?? 0,
                "selector": .string(matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")),
            ],
        ]
    }

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
