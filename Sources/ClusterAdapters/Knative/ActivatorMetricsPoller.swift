import AsyncHTTPClient
import AutoscalerCore
import Exposition
import Foundation
import Logging
import NIOCore
import Scaling

/// Scale from zero under inferscale's PodAutoscaler class. Knative's activator sends its per-revision stats only to
/// Knative's own autoscaler Service (a hard-coded address), so inferscale polls the activators' Prometheus
/// endpoints every second for `kn_revision_request_concurrency` and pushes each revision's total into the loop,
/// which decides a revision at zero at once: a request held by the activator leads to a scale patch within one
/// poll. A revision with no series in any activator that answered gets nothing pushed (no data, never zero); a
/// failed or malformed scrape leaves that activator's part out.
public struct ActivatorMetricsPoller: Sendable {
    /// Settings.
    public struct Configuration: Sendable {
        /// The activators' metrics URLs (e.g. `http://<activator-pod>:9090/metrics`), summed.
        public var urls: [String]
        /// Seconds between polls. Default 1.
        public var intervalSeconds: Double = 1
        /// Seconds one request may take. Default 0.8 (inside the interval).
        public var timeoutSeconds: Double = 0.8
        /// Largest body read, bytes. Default 8 MiB.
        public var maxBodyBytes = 8 << 20

        /// Creates settings.
        public init(urls: [String], intervalSeconds: Double = 1, timeoutSeconds: Double = 0.8, maxBodyBytes: Int = 8 << 20) {
            self.urls = urls
            self.intervalSeconds = intervalSeconds
            self.timeoutSeconds = timeoutSeconds
            self.maxBodyBytes = maxBodyBytes
        }
    }

    private let configuration: Configuration
    private let discover: (@Sendable () async -> [String])?
    private let client: HTTPClient
    private let revisions: KnativePodAutoscalers
    private let loop: ControlLoop
    private let logger: Logger

    /// Creates a poller that pushes into `loop` the load of the revisions `revisions` knows.
    /// - Parameter discover: more URLs, asked on every poll (the activator's ready pods, which come and go).
    public init(configuration: Configuration, client: HTTPClient, revisions: KnativePodAutoscalers, loop: ControlLoop,
                discover: (@Sendable () async -> [String])? = nil, logger: Logger = Logger(label: "inferscale.activator")) {
        self.configuration = configuration
        self.discover = discover
        self.client = client
        self.revisions = revisions
        self.loop = loop
        self.logger = logger
    }

    /// Polls every interval until cancelled.
    public func run(now: @Sendable () -> Timestamp) async {
        let clock = ContinuousClock()
        var next = clock.now
        while !Task.isCancelled {
            await poll(at: now())
            next = next.advanced(by: .milliseconds(Int64(configuration.intervalSeconds * 1000)))
            if next < clock.now { next = clock.now }
            do { try await Task.sleep(until: next, clock: clock) } catch { return }
        }
    }

    /// One poll: reads every activator, sums per revision, pushes what was seen. Returns the revisions pushed.
    @discardableResult
    public func poll(at now: Timestamp) async -> [ActivatorConcurrency.Revision: Double] {
        var total: [ActivatorConcurrency.Revision: Double] = [:]
        let urls = configuration.urls + (await discover?() ?? [])
        await withTaskGroup(of: [ActivatorConcurrency.Revision: Double]?.self) { group in
            for url in Set(urls) { group.addTask { await self.read(url) } }
            for await reading in group {
                guard let reading else { continue }
                total.merge(reading, uniquingKeysWith: +)
            }
        }
        for (revision, concurrency) in total {
            guard let key = await revisions.targetKey(namespace: revision.namespace, revision: revision.name) else { continue }
            try? await loop.push(target: key, sample: SignalSample([.concurrency: concurrency]), at: now)
        }
        return total
    }

    private func read(_ url: String) async -> [ActivatorConcurrency.Revision: Double]? {
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "text/plain; version=0.0.4")
            let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeoutSeconds * 1000)))
            guard response.status.code == 200 else {
                logger.debug("activator metrics answered \(response.status.code)", metadata: ["inferscale.url": "\(url)"])
                return nil
            }
            let body = try await response.body.collect(upTo: configuration.maxBodyBytes)
            let format = response.headers.first(name: "Content-Type").flatMap(ExpositionFormat.init(contentType:)) ?? .prometheusText
            return try ActivatorConcurrency.read(Array(body.readableBytesView), format: format)
        } catch {
            logger.debug("activator metrics unreadable; its part is left out", metadata: ["inferscale.url": "\(url)", "inferscale.error": "\(error)"])
            return nil
        }
    }
}
