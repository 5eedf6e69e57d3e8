import Logging

/// One change to the watched set of pods, with the whole current set.
public struct PodSetUpdate: Sendable, Equatable {
    /// What changed.
    public enum Change: Sendable, Equatable {
        /// A fresh list replaced the set (at start, after 410 Gone or an ERROR event).
        case relisted
        /// A pod appeared.
        case added(Pod)
        /// A pod changed (phase, readiness, IP, deletionTimestamp, …).
        case modified(Pod)
        /// A pod is gone.
        case deleted(Pod)
    }

    /// What changed.
    public var change: Change
    /// Every pod currently known, by name.
    public var pods: [String: Pod]
    /// The resourceVersion the set reflects.
    public var resourceVersion: String?
}

/// The async driver of `WatchStateMachine` for pods matching a label selector in one namespace: lists, watches,
/// resumes, relists, backs off, and calls `onUpdate` with every change. Runs until its task is cancelled.
public struct PodWatcher: Sendable {
    /// The API to use.
    public let api: any KubernetesAPI
    /// Namespace to watch.
    public let namespace: String
    /// Label selector (`app=web`); nil watches every pod in the namespace.
    public let labelSelector: String?
    /// Backoff after failures.
    public let backoff: Backoff
    private let jitter: @Sendable () -> Double
    private let logger: Logger

    /// Creates a watcher.
    /// - Parameter jitter: random numbers in [0, 1) for backoff jitter; injectable for tests.
    public init(
        api: any KubernetesAPI, namespace: String, labelSelector: String?, backoff: Backoff = Backoff(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        logger: Logger = Logger(label: "inferscale.kubernetes.pods")
    ) {
        self.api = api
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.backoff = backoff
        self.jitter = jitter
        self.logger = logger
    }

    /// Lists and watches until the calling task is cancelled.
    public func run(onUpdate: @Sendable (PodSetUpdate) async -> Void) async {
        var machine = WatchStateMachine(backoff: backoff)
        var pods: [String: Pod] = [:]
        var action = machine.start()
        let metadata: Logger.Metadata = [
            "inferscale.namespace": "\(namespace)", "inferscale.selector": "\(labelSelector ?? "")",
        ]
        while !Task.isCancelled {
            switch action {
            case .list:
                do {
                    let list = try await api.listPods(namespace: namespace, labelSelector: labelSelector)
                    pods = Dictionary(list.items.compactMap { pod in pod.metadata.name.map { ($0, pod) } }, uniquingKeysWith: { $1 })
                    let version = list.metadata.resourceVersion ?? "0"
                    await onUpdate(PodSetUpdate(change: .relisted, pods: pods, resourceVersion: version))
                    action = machine.listed(resourceVersion: version)
                } catch let error as KubernetesError where error.code == .gone {
                    action = machine.gone(jitter: jitter())
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("listing pods failed: \(error)", metadata: metadata)
                    action = machine.failed(jitter: jitter())
                }
            case .startWatch(let version):
                do {
                    let stream = try await api.watchPods(namespace: namespace, labelSelector: labelSelector, resourceVersion: version)
                    var next: WatchStateMachine.Action?
                    for try await event in stream {
                        let result = machine.received(
                            event.type, resourceVersion: event.resourceVersion, errorCode: event.status?.code, jitter: jitter())
                        switch result {
                        case .deliver:
                            guard let pod = event.object, let name = pod.metadata.name else { continue }
                            let change: PodSetUpdate.Change
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
                            await onUpdate(PodSetUpdate(change: change, pods: pods, resourceVersion: machine.resourceVersion))
                        case .none:
                            continue
                        default:
                            if event.type == .error {
                                logger.info("pod watch got an ERROR event: \(event.status?.message ?? "")", metadata: metadata)
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
                    logger.warning("pod watch failed: \(error)", metadata: metadata)
                    action = machine.failed(jitter: jitter())
                }
            case .backoff(let seconds):
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                action = machine.backoffElapsed()
            case .deliver, .none:
                // Not produced by start/listed/streamEnded/failed/backoffElapsed; recover with a fresh list.
                logger.error("pod watcher reached an unexpected action; listing again", metadata: metadata)
                action = machine.gone()
                if action == .none { return }
            case .stop:
                return
            }
        }
    }
}
