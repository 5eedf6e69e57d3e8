import AsyncHTTPClient
import Exposition
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import RuntimeSignals

/// Scrapes the pods of targets concurrently over HTTP: Knative's queue-proxy stats (protobuf)
/// and the runtime's metrics (Prometheus text or OpenMetrics), with a deadline per scrape,
/// a cap on body size and on samples, and a bound on scrapes in flight. A failed or malformed
/// scrape leaves that pod's part missing and is reported with its reason.
public actor Scraper {
    let configuration: ScraperConfiguration
    private let client: HTTPClient
    /// Reads plain-http pod endpoints when the configuration's client is `lean`; nil otherwise.
    private let podClient: PodHTTPClient?
    private let logger: Logger
    private let parsers: ExpositionParserPool
    /// The bound on scrapes in flight, over all targets.
    private let slots: ScrapeSlots
    private var rates: [String: CounterRates] = [:]
    private var noticed: Set<String> = []
    private var rng = SystemRandomNumberGenerator()

    /// Uses `client` (its connection pool is reused across scrapes) for https endpoints, and for every endpoint when
    /// the configuration's client is `ahc`; the caller shuts it down. With `lean` (the default), plain-http endpoints
    /// are read by a `PodHTTPClient` on `client`'s event loops, whose idle connections close after
    /// `idleConnectionSeconds` and when the scraper goes away.
    public init(configuration: ScraperConfiguration = ScraperConfiguration(), client: HTTPClient,
                logger: Logger = Logger(label: "inferscale.scraper")) {
        self.configuration = configuration
        self.client = client
        podClient = configuration.client == .lean
            ? PodHTTPClient(eventLoopGroup: client.eventLoopGroup,
                            idleTimeout: .nanoseconds(Int64((configuration.idleConnectionSeconds * 1e9).rounded())))
            : nil
        self.logger = logger
        parsers = ExpositionParserPool(maxSamples: configuration.maxSamples)
        slots = ScrapeSlots(limit: configuration.maxInFlight, group: client.eventLoopGroup)
    }

    /// One scrape round of `target`. `seconds` is a monotonic time for rates.
    public func scrape(_ target: ScrapeTarget, at seconds: Double) async -> TargetReading {
        let chosen = PodSampler.choose(target.pods, sampling: configuration.sampling, using: &rng)
        // One future per pod, all awaited at once: a round costs one suspension per target, not a task per pod.
        let cancellation = ScrapeCancellation()
        let pods = chosen.map { pod in fetch(pod, of: target, cancellation: cancellation).map { (pod, $0) } }
        let results = await withTaskCancellationHandler {
            (try? await EventLoopFuture.whenAllSucceed(pods, on: client.eventLoopGroup.next()).get()) ?? []
        } onCancel: {
            cancellation.cancel()
        }
        var readings: [PodReading] = []
        var inFlight: [String: Double] = [:]
        var failures: [ScrapeFailure] = []
        var rateState = rates[target.key] ?? CounterRates()
        for (pod, raw) in results.sorted(by: { $0.0.name < $1.0.name }) {
            failures += raw.failures
            guard raw.stat != nil || raw.signals != nil else { continue }
            var r = PodReading()
            if let stat = raw.stat {
                r.concurrency = stat.averageConcurrentRequests - stat.averageProxiedConcurrentRequests
                r.rps = stat.requestsPerSecond - stat.proxiedRequestsPerSecond
            }
            if let s = raw.signals {
                if r.concurrency == nil { r.concurrency = s.concurrency }
                r.queueDepth = s.queueDepth
                r.running = s.runningRequests
                r.kvCacheUtilization = s.kvCacheUtilization
                r.kvCacheCapacityTokens = s.kvCacheCapacityTokens
                r.gpuMemoryUtilization = s.gpuMemoryUtilization
                let requestRate = rateState.rate(pod.name, "requests", value: s.requestsTotal, at: seconds)
                if r.rps == nil { r.rps = requestRate }
                r.promptTokensPerSecond = rateState.rate(pod.name, "prompt", value: s.promptTokensTotal, at: seconds)
                r.generationTokensPerSecond = rateState.rate(pod.name, "generation", value: s.generationTokensTotal, at: seconds)
                noticeAbsent(target.key, s)
            }
            readings.append(r)
            if r.running != nil || r.queueDepth != nil {
                inFlight[pod.name] = (r.running ?? 0) + (r.queueDepth ?? 0)
            } else if let c = r.concurrency {
                inFlight[pod.name] = c
            }
        }
        rateState.keep(only: Set(target.pods.map(\.name)))
        rates[target.key] = rateState
        for f in failures {
            logger.debug("scrape failed", metadata: ["inferscale.target": "\(target.key)", "inferscale.error": "\(f)"])
        }
        return TargetReading(readings: readings, readyPods: target.pods.count, failures: failures, inFlightByPod: inFlight)
    }

    /// Closes the lean client's idle pod connections now (at shutdown; they close by themselves after the idle timeout).
    public nonisolated func closeIdleConnections() { podClient?.closeIdleConnections() }

    /// Forgets a target's counter history (the target went away).
    public func forget(_ key: String) { rates[key] = nil }

    // MARK: - One pod

    private struct RawPod: Sendable {
        var stat: QueueProxyStat?
        var signals: RuntimeSignals?
        var failures: [ScrapeFailure] = []
    }

    /// Both of a pod's endpoints, fetched and parsed at once off the actor, on the event loops that read them (on the
    /// actor, every body of a round was parsed one after another); only the counter history is the actor's. Never fails:
    /// a failed endpoint is the pod's failure.
    private nonisolated func fetch(_ pod: ScrapeTarget.Pod, of target: ScrapeTarget, cancellation: ScrapeCancellation) -> EventLoopFuture<RawPod> {
        var stat: EventLoopFuture<RawPod>?
        if target.queueProxy {
            let url = "http://\(host(pod.ip)):\(configuration.queueProxyPort)/metrics"
            let configuration = configuration
            stat = request(url, accept: Self.protobufAccept, cancellation: cancellation) { (bytes, _) throws(ScrapeFailure) -> QueueProxyStat? in
                guard case .queueProxyStat(let stat) = try Self.decode(bytes, as: .queueProxyStat, from: url, configuration: configuration) else { return nil }
                return stat
            }
            .map { RawPod(stat: $0) }
            .recover { RawPod(failures: [Self.scrapeFailure($0, url: url)]) }
        }
        var signals: EventLoopFuture<RawPod>?
        if let runtime = target.runtime, runtime != .queueProxy || !target.queueProxy {
            let url = "http://\(host(pod.ip)):\(target.port)\(target.path)"
            signals = request(url, accept: Self.expositionAccept, cancellation: cancellation) { (bytes, contentType) throws(ScrapeFailure) in
                try self.signals(from: bytes, contentType: contentType, runtime: runtime, source: url)
            }
            .map { RawPod(signals: $0) }
            .recover { RawPod(failures: [Self.scrapeFailure($0, url: url)]) }
        }
        switch (stat, signals) {
        case let (stat?, signals?):
            return stat.and(signals).map { RawPod(stat: $0.0.stat, signals: $0.1.signals, failures: $0.0.failures + $0.1.failures) }
        case let (one?, nil), let (nil, one?):
            return one
        case (nil, nil):
            return client.eventLoopGroup.next().makeSucceededFuture(RawPod())
        }
    }

    /// An error of a scrape as its failure: a `ScrapeFailure` as it is, anything else a `connect` failure.
    private static func scrapeFailure(_ error: any Error, url: String) -> ScrapeFailure {
        error as? ScrapeFailure ?? ScrapeFailure(reason: "connect", url: url, detail: "\(error)")
    }

    /// A runtime's metrics body (Prometheus text, or what `contentType` names) read into its signals, with
    /// the scraper's caps and failures exactly as ``decode(_:as:from:configuration:)`` gives them; nil when the
    /// body belongs to no runtime. Only the families the runtime's signals are read from are built, by a parser
    /// kept warm between scrapes; the other families' sample lines are skipped by name (a malformed one does not
    /// fail the scrape), their metadata and the body's structure checked as in a full parse. `source` names the URL in failures.
    public nonisolated func signals(from bytes: [UInt8], contentType: String?, runtime: Runtime,
                                    source: String) throws(ScrapeFailure) -> RuntimeSignals? {
        guard bytes.count <= configuration.maxBodyBytes else {
            throw ScrapeFailure(reason: "too-large", url: source, detail: "\(bytes.count) bytes; the limit is \(configuration.maxBodyBytes)")
        }
        let format = contentType.flatMap(ExpositionFormat.init(contentType:)) ?? .prometheusText
        let parsed: ParsedExposition
        do {
            parsed = try parsers.withParser(format) { (parser: inout ExpositionParser) throws(ExpositionError) in
                try parser.parse(bytes, keeping: RuntimeSignals.families(for: runtime))
            }
        } catch {
            throw Self.failure(error, source: source)
        }
        return RuntimeSignals(from: parsed, runtime: runtime)
    }

    private nonisolated func host(_ ip: String) -> String { ip.contains(":") ? "[\(ip)]" : ip }

    /// GET with the deadline (over connection, head and body, counted as `request` says), the body cap and the
    /// in-flight bound. Throws only `ScrapeFailure`.
    nonisolated func get(_ url: String, accept: String) async throws -> ([UInt8], String?) {
        try await get(url, accept: accept) { (body, contentType) throws(ScrapeFailure) in (body, contentType) }
    }

    /// `get`, with the body decoded by `decode` on the event loop that read it, as soon as it is complete.
    nonisolated func get<Output: Sendable>(_ url: String, accept: String,
                                           decode: @escaping ScrapeBodyDelegate<Output>.Decode) async throws -> Output {
        let cancellation = ScrapeCancellation()
        return try await withTaskCancellationHandler {
            try await request(url, accept: accept, cancellation: cancellation, decode: decode).get()
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// One GET under the in-flight bound, as a future that fails only with `ScrapeFailure`. Without a slot wait of its
    /// own (`slotWaitSeconds` nil), the deadline is counted from this call: waiting for a slot behind slow pods is part
    /// of it, so no round waits for a pod past it. With one, the scrape waits for a slot up to that budget and then has
    /// its whole deadline from the moment it gets the slot: a fleet larger than one deadline's worth of scrapes is read
    /// in turn instead of mostly failing in the queue, and no pod holds a slot past its deadline either way.
    private nonisolated func request<Output: Sendable>(_ url: String, accept: String, cancellation: ScrapeCancellation,
                                                       decode: @escaping ScrapeBodyDelegate<Output>.Decode) -> EventLoopFuture<Output> {
        let deadline = TimeAmount.nanoseconds(Int64(configuration.deadlineSeconds * 1e9))
        let asked = NIODeadline.now()
        if slots.tryAcquire() {
            let answer = exchange(url, accept: accept, deadline: asked + deadline, cancellation: cancellation, decode: decode)
            answer.whenComplete { _ in self.slots.release() }
            return answer
        }
        let slotWait = configuration.slotWaitSeconds
        let waitBudget = slotWait.map { TimeAmount.nanoseconds(Int64($0 * 1e9)) } ?? deadline
        let maxInFlight = configuration.maxInFlight
        let loop = client.eventLoopGroup.next()
        return waitForSlot(by: asked + waitBudget, on: loop, url: url, cancellation: cancellation).flatMap { granted in
            guard granted else {
                let budget = slotWait.map { "within the \($0) s slot wait" } ?? "within the deadline"
                return loop.makeFailedFuture(ScrapeFailure(reason: "queue-timeout", url: url,
                                                           detail: "no scrape slot free \(budget) (\(maxInFlight) scrapes in flight)"))
            }
            // With a slot wait of its own, the deadline starts now that the slot is ours.
            let cutOff = slotWait == nil ? asked + deadline : NIODeadline.now() + deadline
            let answer = self.exchange(url, accept: accept, deadline: cutOff, cancellation: cancellation, decode: decode)
            answer.whenComplete { _ in self.slots.release() }
            return answer
        }
    }

    /// A slot within `deadline`, as `ScrapeSlots.acquire` gives it, unless the scrape is cancelled first (shutdown): then
    /// it fails at once instead of waiting up to a whole slot wait, and a slot handed over later goes straight back.
    private nonisolated func waitForSlot(by deadline: NIODeadline, on loop: any EventLoop, url: String,
                                         cancellation: ScrapeCancellation) -> EventLoopFuture<Bool> {
        let outcome = loop.makePromise(of: Bool.self)
        let settled = NIOLockedValueBox(false)
        @Sendable func settle() -> Bool { settled.withLockedValue { done in defer { done = true }; return !done } }
        slots.acquire(by: deadline, on: loop).whenSuccess { granted in
            if settle() { outcome.succeed(granted) } else if granted { self.slots.release() }
        }
        cancellation.add {
            guard settle() else { return }
            outcome.fail(ScrapeFailure(reason: "queue-timeout", url: url, detail: "cancelled while waiting for a scrape slot"))
        }
        return outcome.futureResult
    }

    /// One GET under a slot already taken, cut off at `deadline` over connection, head and body. Plain-http endpoints go
    /// through the lean `PodHTTPClient` (unless the configuration asks for async-http-client), which keeps the deadline on
    /// the connection's event loop. Through async-http-client, a timer on the request's event loop cancels it there and
    /// then (the connection is closed), whatever state the client's pool holds it in — so a pod that drip-feeds its body,
    /// or a request still waiting for a connection, never keeps a round past the deadline.
    private nonisolated func exchange<Output: Sendable>(_ url: String, accept: String, deadline: NIODeadline, cancellation: ScrapeCancellation,
                                                        decode: @escaping ScrapeBodyDelegate<Output>.Decode) -> EventLoopFuture<Output> {
        let seconds = configuration.deadlineSeconds
        if let podClient, PodHTTPClient.canServe(url) {
            let (answer, cancel) = podClient.get(url, accept: accept, deadline: deadline, deadlineSeconds: seconds,
                                                 limit: configuration.maxBodyBytes, decode: decode)
            cancellation.add(cancel)
            return answer
        }
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url, method: .GET, headers: ["Accept": accept, "User-Agent": "inferscale"])
        } catch {
            return client.eventLoopGroup.next().makeFailedFuture(ScrapeFailure(reason: "connect", url: url, detail: "\(error)"))
        }
        let delegate = ScrapeBodyDelegate(url: url, limit: configuration.maxBodyBytes, decode: decode)
        let task = client.execute(request: request, delegate: delegate, eventLoop: .indifferent)
        let loop = task.eventLoop
        let answer = loop.makePromise(of: Output.self)
        let settled = NIOLockedValueBox(false)
        @Sendable func settle() -> Bool { settled.withLockedValue { done in defer { done = true }; return !done } }
        let cutOff = loop.scheduleTask(deadline: deadline) {
            guard settle() else { return }
            task.cancel()
            answer.fail(HTTPClientError.deadlineExceeded)
        }
        task.futureResult.whenComplete { result in
            guard settle() else { return }
            cutOff.cancel()
            answer.completeWith(result)
        }
        cancellation.add { task.cancel() }
        return answer.futureResult.flatMapErrorThrowing { error in
            if let failure = error as? ScrapeFailure { throw failure }
            if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                throw ScrapeFailure(reason: "timeout", url: url, detail: delegate.sawHead
                    ? "no complete answer within the \(seconds) s deadline" : "no answer within the \(seconds) s deadline")
            }
            throw ScrapeFailure(reason: "connect", url: url, detail: "\(error)")
        }
    }

    /// Says once per target and runtime which signals the runtime does not expose.
    private func noticeAbsent(_ key: String, _ s: RuntimeSignals) {
        let id = "\(key)/\(s.runtime.rawValue)"
        guard !noticed.contains(id) else { return }
        noticed.insert(id)
        let absent = s.absentSignals
        if !absent.isEmpty {
            logger.notice("runtime does not expose some signals; they stay absent",
                          metadata: ["inferscale.target": "\(key)", "inferscale.runtime": "\(s.runtime.rawValue)", "inferscale.absent": "\(absent.joined(separator: ","))"])
        }
    }
}
