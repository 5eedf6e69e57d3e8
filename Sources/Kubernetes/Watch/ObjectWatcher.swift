import Logging

/// One change to a watched set of objects, with the whole current set.
public struct ObjectSetUpdate<Object: KubernetesObject & Equatable>: Sendable, Equatable {
    /// What changed.
    public enum Change: Sendable, Equatable {
        /// A fresh list replaced the set (at start, after 410 Gone or an ERROR event).
        case relisted
        /// An object appeared.
        case added(Object)
        /// An object changed (a pod's phase, readiness, IP; a Deployment's replicas; …).
        case modified(Object)
        /// An object is gone.
        case deleted(Object)
    }

    /// What changed.
    public var change: Change
    /// Every object currently known, by name.
    public var objects: [String: Object]
    /// The resourceVersion the set reflects.
    public var resourceVersion: String?

    /// Creates an update (the watcher makes them; tests and indexes fed by hand too).
    public init(change: Change, objects: [String: Object], resourceVersion: String? = nil) {
        self.change = change
        self.objects = objects
        self.resourceVersion = resourceVersion
    }
}

/// A change to the watched set of pods.
public typealias PodSetUpdate = ObjectSetUpdate<Pod>

extension ObjectSetUpdate where Object == Pod {
    /// Every pod currently known, by name.
    public var pods: [String: Pod] { objects }
}

/// The async driver of `WatchStateMachine` for the objects of one kind matching a label selector in one
/// namespace: lists, watches, resumes, relists, backs off, and calls `onUpdate` with every change. Runs until
/// its task is cancelled. `PodWatcher` and `DeploymentWatcher` are its two uses.
public struct ObjectWatcher<Object: KubernetesObject & Equatable>: Sendable {
    /// Lists the objects of a namespace matching a selector.
    public typealias List = @Sendable (_ namespace: String, _ labelSelector: String?) async throws -> ObjectList<Object>
    /// Watches them from a resourceVersion.
    public typealias Watch = @Sendable (_ namespace: String, _ labelSelector: String?, _ resourceVersion: String) async throws
        -> AsyncThrowingStream<WatchEvent<Object>, any Error>

    /// Namespace to watch.
    public let namespace: String
    /// Label selector (`app=web`); nil watches every object in the namespace.
    public let labelSelector: String?
    /// Backoff after failures.
    public let backoff: Backoff
    private let what: String
    private let list: List
    private let watch: Watch
    private let jitter: @Sendable () -> Double
    private let logger: Logger

    /// Creates a watcher of objects named `what` in logs (`pods`, `deployments`).
    /// - Parameter jitter: random numbers in [0, 1) for backoff jitter; injectable for tests.
    public init(
        what: String, namespace: String, labelSelector: String?, list: @escaping List, watch: @escaping Watch,
        backoff: Backoff = Backoff(), jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger
    ) {
        self.what = what
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.list = list
        self.watch = watch
        self.backoff = backoff
        self.jitter = jitter
        self.logger = logger
    }

    /// Lists and watches until the calling task is cancelled.
    public func run(onUpdate: @Sendable (ObjectSetUpdate<Object>) async -> Void) async {
        var machine = WatchStateMachine(backoff: backoff)
        var pods: [String: Object] = [:]
        var action = machine.start()
        let metadata: Logger.Metadata = [
            "inferscale.namespace": "\(namespace)", "inferscale.selector": "\(labelSelector ?? "")",
        ]
        while !Task.isCancelled {
            switch action {
            case .list:
                do {
                    let list = try await list(namespace, labelSelector)
                    pods = Dictionary(list.items.compactMap { pod in pod.metadata.name.map { ($0, pod) } }, uniquingKeysWith: { $1 })
                    let version = list.metadata.resourceVersion ?? "0"
                    await onUpdate(ObjectSetUpdate(change: .relisted, objects: pods, resourceVersion: version))
                    action = machine.listed(resourceVersion: version)
                } catch let error as KubernetesError where error.code == .gone {
                    action = machine.gone(jitter: jitter())
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("listing \(what) failed: \(error)", metadata: metadata)
                    action = machine.failed(jitter: jitter(), retryAfterSeconds: (error as? KubernetesError)?.retryAfterSeconds)
                }
            case .startWatch(let version):
                do {
                    let stream = try await watch(namespace, labelSelector, version)
                    var next: WatchStateMachine.Action?
                    for try await event in stream {
                        let result = machine.received(
                            event.type, resourceVersion: event.resourceVersion, errorCode: event.status?.code, jitter: jitter())
                        switch result {
                        case .deliver:
                            guard let pod = event.object, let name = pod.metadata.name else { continue }
                            let change: ObjectSetUpdate<Object>.Change
                            switch event.type {
                            case .added:
                                pods[name] = pod
                                change = .added(pod)
                            case .modified:
                                pods[name] = pod
                                change = .modified(pod)
                            default:
                                pods[name] = nil
                                change = .deleted(pod)
                            }
                            await onUpdate(ObjectSetUpdate(change: change, objects: pods, resourceVersion: machine.resourceVersion))
                        case .none:
                            continue
                        default:
                            if event.type == .error {
                                logger.info("\(what) watch got an ERROR event: \(event.status?.message ?? "")", metadata: metadata)
                            }
                            next = result
                        }
                        if next != nil { break }
                    }
                    if Task.isCancelled { return }
                    action = next ?? machine.streamEnded(jitter: jitter())
                } catch let error as KubernetesError where error.code == .gone {
                    action = machine.gone(jitter: jitter())
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("\(what) watch failed: \(error)", metadata: metadata)
                    action = machine.failed(jitter: jitter(), retryAfterSeconds: (error as? KubernetesError)?.retryAfterSeconds)
                }
            case .backoff(let seconds):
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                action = machine.backoffElapsed()
            case .deliver, .none:
                // Not produced by start/listed/streamEnded/failed/backoffElapsed; recover with a fresh list.
                logger.error("\(what) watcher reached an unexpected action; listing again", metadata: metadata)
                action = machine.gone()
                if action == .none { return }
            case .stop:
                return
            }
        }
    }
}
