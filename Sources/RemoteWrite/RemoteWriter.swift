import AsyncHTTPClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pushes samples to a Prometheus remote-write receiver: a bounded, sharded queue that batches,
/// retries with backoff, and speaks 2.0 with fallback to 1.0.
///
/// Use: create series once with `makeSeries`, `append` samples from anywhere (non-blocking;
/// a full queue drops and counts), and run the writer as a swift-service-lifecycle `Service`.
/// `run()` returns after a graceful shutdown (a `ServiceGroup` signal or `shutdown()`), once
/// the queue is flushed or `queue.flushTimeout` has passed.
public final class RemoteWriter: Service, Sendable {
    typealias ShardState = RemoteWriteShardStateMachine<PendingSample, ContinuousClock.Instant>

    final class Shard: Sendable {
        let state: NIOLockedValueBox<ShardState>
        let wakeups: AsyncStream<Void>
        let wake: AsyncStream<Void>.Continuation

        init(configuration: RemoteWriteConfiguration.Queue) {
            state = NIOLockedValueBox(ShardState(configuration: configuration))
            (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }
    }

    /// The configuration the writer was created with.
    public let configuration: RemoteWriteConfiguration
    private let logger: Logger
    private let interner = SymbolInterner()
    private let shards: [Shard]
    private let negotiation: NIOLockedValueBox<ProtocolNegotiationStateMachine>
    private let jitter: @Sendable () -> Double
    private let httpConfiguration: HTTPClient.Configuration
    private let baseHeaders: HTTPHeaders
    private let lifecycle = NIOLockedValueBox(Lifecycle())

    private struct Lifecycle {
        var started = false
        var drainDeadline: ContinuousClock.Instant? = nil
    }

    /// Creates a writer; nothing is sent until `run()`.
    ///
    /// - Parameters:
    ///   - jitter: source of numbers in `0..<1` that randomise retry delays (inject a constant in tests).
    /// - Throws: `RemoteWriteConfigurationError` when the configuration is unusable (for example a
    ///   reserved custom header, or a CA file that cannot be read).
    public init(
        configuration: RemoteWriteConfiguration,
        logger: Logger,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) throws(RemoteWriteConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.jitter = jitter
        self.shards = (0..<configuration.queue.shards).map { _ in Shard(configuration: configuration.queue) }
        self.negotiation = NIOLockedValueBox(ProtocolNegotiationStateMachine(preferred: configuration.protocolVersion))

        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = configuration.tls.caFile {
            do {
                _ = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw RemoteWriteConfigurationError(option: "tls.caFile", message: "cannot read PEM certificates from '\(caFile)': \(error)")
            }
            tls.trustRoots = .file(caFile)
        }
        let timeout = TimeAmount.nanoseconds(Self.nanoseconds(configuration.remoteTimeout))
        self.httpConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeout, read: timeout),
            decompression: .disabled
        )

        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: configuration.userAgent)
        headers.add(name: "Content-Encoding", value: "snappy")
        switch configuration.authorization {
        case .bearerToken(let token)?:
            headers.add(name: "Authorization", value: "Bearer \(token)")
        case .basic(let user, let password)?:
            headers.add(name: "Authorization", value: "Basic \(Base64.encode("\(user):\(password)".utf8))")
        case nil:
            break
        }
        for (name, value) in configuration.headers.sorted(by: { $0.key < $1.key }) {
            headers.add(name: name, value: value)
        }
        self.baseHeaders = headers
    }

    // MARK: Producing samples

    /// Prepares a series for sending: applies the external labels and pre-renders the labels.
    ///
    /// Keep the result and reuse it for every sample of that series.
    public func makeSeries(_ labels: Labels, metadata: MetricMetadata? = nil) -> RemoteWriteSeries {
        RemoteWriteSeries(labels: labels.adding(missingFrom: configuration.externalLabels), metadata: metadata, interner: interner)
    }

    /// Queues one sample; never blocks.
    ///
    /// A NaN value is sent as an ordinary NaN, never as the stale marker (use `appendStaleMarker`).
    /// Samples of one series must be appended in timestamp order.
    /// - Parameters:
    ///   - timestamp: milliseconds since the Unix epoch.
    /// - Returns: `false` when the sample was dropped (its shard is full or the writer has finished); drops are counted.
    @discardableResult
    public func append(_ series: RemoteWriteSeries, value: Double, timestamp: Int64) -> Bool {
        enqueue(PendingSample(series: series, value: StaleMarker.normalisingNaN(value), timestamp: timestamp))
    }

    /// Queues a stale marker: tells the receiver that `series` ended at `timestamp` (milliseconds since the Unix epoch).
    @discardableResult
    public func appendStaleMarker(_ series: RemoteWriteSeries, timestamp: Int64) -> Bool {
        enqueue(PendingSample(series: series, value: StaleMarker.value, timestamp: timestamp))
    }

    private func enqueue(_ sample: PendingSample) -> Bool {
        let shard = shards[Int(sample.series.hash % UInt64(shards.count))]
        let action = shard.state.withLockedValue { $0.append(sample, now: .now) }
        switch action {
        case .none: return true
        case .wakeDriver:
            shard.wake.yield()
            return true
        case .dropped: return false
        }
    }

    /// Counts so far, summed over the shards.
    public var counters: RemoteWriteCounters {
        var c = RemoteWriteCounters()
        for shard in shards {
            shard.state.withLockedValue { s in
                c.samplesSent += s.counters.sent
                c.samplesRetried += s.counters.retried
                c.samplesFailed += s.counters.failed
                c.samplesDropped += s.counters.dropped
                c.queueLength += s.queueLength
            }
        }
        c.protocolVersion = negotiation.withLockedValue { $0.version }
        return c
    }

    // MARK: Running

    /// Sends until a graceful shutdown, then flushes for at most `queue.flushTimeout` and returns.
    ///
    /// Cancelling the task stops at once; what was held is counted as dropped.
    /// - Throws: `RemoteWriteError` when called twice.
    public func run() async throws {
        let first = lifecycle.withLockedValue { l in
            defer { l.started = true }
            return !l.started
        }
        guard first else { throw RemoteWriteError(message: "run() was called more than once on the same RemoteWriter", url: configuration.url) }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        logger.info("remote-write started", metadata: [
            "inferscale.remote_write.url": "\(configuration.url)",
            "inferscale.remote_write.version": "\(configuration.protocolVersion)",
            "inferscale.remote_write.shards": "\(shards.count)",
        ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for shard in shards {
                    group.addTask { await self.runShard(shard, client: client) }
                }
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
        try? await client.shutdown()
        logger.info("remote-write stopped", metadata: ["inferscale.remote_write.counters": "\(counters)"])
    }

    /// Starts the graceful shutdown: stop waiting for full batches, flush what is queued for at
    /// most `queue.flushTimeout`, then let `run()` return. Safe to call more than once.
    public func shutdown() {
        let now = ContinuousClock.now
        lifecycle.withLockedValue { l in
            if l.drainDeadline == nil { l.drainDeadline = now.advanced(by: configuration.queue.flushTimeout) }
        }
        for shard in shards {
            shard.state.withLockedValue { $0.beginShutdown(now: now) }
            shard.wake.yield()
        }
    }

    private func runShard(_ shard: Shard, client: HTTPClient) async {
        var encoder = WriteRequestEncoder()
        var body: [UInt8] = []
        var timer: Task<Void, Never>? = nil
        defer { timer?.cancel() }
        var wakeups = shard.wakeups.makeAsyncIterator()
        while true {
            let action = shard.state.withLockedValue { $0.nextAction(now: .now) }
            switch action {
            case .finished:
                return
            case .send(let batch):
                let outcome = await send(batch, client: client, encoder: &encoder, body: &body)
                let r = jitter()
                shard.state.withLockedValue { $0.sendCompleted(outcome, now: .now, jitter: r) }
            case .wait(let until):
                timer?.cancel()
                timer = nil
                if let until {
                    if until <= .now { continue }
                    let wake = shard.wake
                    timer = Task {
                        try? await Task.sleep(until: until, clock: .continuous)
                        if !Task.isCancelled { wake.yield() }
                    }
                }
                if await wakeups.next() == nil || Task.isCancelled {
                    shard.state.withLockedValue { $0.abandon() }
                    return
                }
            }
        }
    }

    /// Sends one batch (again as 1.0 if the receiver turns out not to speak 2.0) and classifies the result.
    private func send(_ batch: [PendingSample], client: HTTPClient, encoder: inout WriteRequestEncoder, body: inout [UInt8]) async -> SendOutcome {
        while true {
            let version = negotiation.withLockedValue { $0.version }
            encoder.encodeCompressed(batch, version: version, into: &body)
            var request = HTTPClientRequest(url: configuration.url)
            request.method = .POST
            request.headers = baseHeaders
            request.headers.add(name: "Content-Type", value: version.contentType)
            request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: version.versionHeader)
            request.body = .bytes(ByteBuffer(bytes: body))

            var timeout = configuration.remoteTimeout
            if let drain = lifecycle.withLockedValue({ $0.drainDeadline }) {
                timeout = Swift.max(.milliseconds(1), Swift.min(timeout, ContinuousClock.now.duration(to: drain)))
            }
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)), logger: nil)
            } catch {
                logger.warning("remote-write request failed; will retry", metadata: [
                    "inferscale.remote_write.url": "\(configuration.url)",
                    "inferscale.remote_write.error": "\(error)",
                    "inferscale.remote_write.samples": "\(batch.count)",
                ])
                return .retryable(reason: "\(error)")
            }
            let status = Int(response.status.code)
            // Read (a bounded part of) the body so the connection can be reused; log it on errors.
            var text = ""
            do {
                let buffer = try await response.body.collect(upTo: 64 * 1024)
                text = String(buffer: buffer)
            } catch {
                text = "(body not read: \(error))"
            }
            let hasWritten = ProtocolNegotiationStateMachine.writtenCountHeaders.contains { !response.headers[$0].isEmpty }
            let negotiated = negotiation.withLockedValue {
                $0.responseReceived(sentAs: version, status: status, hasWrittenCountHeaders: hasWritten)
            }
            if negotiated == .resendAsV1 {
                logger.notice("remote-write receiver does not speak 2.0; falling back to 1.0 for good", metadata: [
                    "inferscale.remote_write.url": "\(configuration.url)",
                    "inferscale.remote_write.status": "\(status)",
                ])
                continue
            }
            var retryAfter: Duration? = nil
            if status == 429, let value = response.headers.first(name: "Retry-After") {
                retryAfter = RetryAfter.parse(value, nowUnixSeconds: Int64(time(nil)))
            }
            let outcome = SendOutcome(status: status, retryAfter: retryAfter)
            if outcome != .success {
                logger.warning("remote-write receiver refused a batch", metadata: [
                    "inferscale.remote_write.url": "\(configuration.url)",
                    "inferscale.remote_write.status": "\(status)",
                    "inferscale.remote_write.outcome": "\(outcome)",
                    "inferscale.remote_write.samples": "\(batch.count)",
                    "inferscale.remote_write.body": "\(text.prefix(1_024))",
                ])
            }
            return outcome
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s.multipliedReportingOverflow(by: 1_000_000_000).overflow ? .max : s * 1_000_000_000 + atto / 1_000_000_000
    }
}

/// A `RemoteWriter` was used wrongly.
public struct RemoteWriteError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do.
    public var message: String
    /// The receiver URL of the writer.
    public var url: String

    public var description: String { "remote-write to \(url): \(message)" }
}
