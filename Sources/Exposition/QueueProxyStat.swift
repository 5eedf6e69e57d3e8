import SwiftProtobuf

/// One Knative queue-proxy autoscaling report: the protobuf `Stat` served on `:9090/metrics` with
/// `Content-Type: application/protobuf`, and carried in the activator's websocket batches.
public struct QueueProxyStat: Sendable, Hashable {
    /// The pod that reported.
    public var podName: String
    /// Mean requests in flight over the reporting period (requests, per pod).
    public var averageConcurrentRequests: Double
    /// The part of ``averageConcurrentRequests`` that came through the activator (requests, per pod).
    public var averageProxiedConcurrentRequests: Double
    /// Requests per second over the period; the queue-proxy has already divided by the period length.
    public var requestsPerSecond: Double
    /// The part of ``requestsPerSecond`` that came through the activator (requests per second).
    public var proxiedRequestsPerSecond: Double
    /// Seconds since the queue-proxy process started.
    public var processUptime: Double
    /// When the stat was taken, in Unix seconds.
    public var timestamp: Int64

    /// Creates a stat.
    public init(
        podName: String, averageConcurrentRequests: Double, averageProxiedConcurrentRequests: Double = 0,
        requestsPerSecond: Double, proxiedRequestsPerSecond: Double = 0, processUptime: Double = 0, timestamp: Int64 = 0
    ) {
        self.podName = podName
        self.averageConcurrentRequests = averageConcurrentRequests
        self.averageProxiedConcurrentRequests = averageProxiedConcurrentRequests
        self.requestsPerSecond = requestsPerSecond
        self.proxiedRequestsPerSecond = proxiedRequestsPerSecond
        self.processUptime = processUptime
        self.timestamp = timestamp
    }

    /// Decodes a `:9090` response body.
    ///
    /// Besides malformed protobuf, a stat without a pod name or with a negative, NaN or infinite figure is
    /// rejected: the queue-proxy never sends one, and it would poison the averaging windows.
    public init(protobuf bytes: [UInt8]) throws(QueueProxyStatError) {
        guard !bytes.isEmpty else { throw QueueProxyStatError(.malformed, "the body is empty; expected a protobuf Stat") }
        let message: Inferscale_Queueproxy_Stat
        do {
            message = try Inferscale_Queueproxy_Stat(serializedBytes: bytes)
        } catch {
            throw QueueProxyStatError(.malformed, "not a protobuf Stat: \(error)")
        }
        try self.init(validating: message)
    }

    /// Decodes an activator batch (`WireStatMessages`): the stats with the revision each belongs to.
    public static func decodeBatch(protobuf bytes: [UInt8]) throws(QueueProxyStatError) -> [Addressed] {
        let batch: Inferscale_Queueproxy_WireStatMessages
        do {
            batch = try Inferscale_Queueproxy_WireStatMessages(serializedBytes: bytes)
        } catch {
            throw QueueProxyStatError(.malformed, "not a protobuf WireStatMessages batch: \(error)")
        }
        var result: [Addressed] = []
        result.reserveCapacity(batch.messages.count)
        for (index, message) in batch.messages.enumerated() {
            guard message.hasStat else {
                throw QueueProxyStatError(.invalidValue, "message \(index) for \(message.namespace)/\(message.name) has no stat")
            }
            guard !message.namespace.isEmpty, !message.name.isEmpty else {
                throw QueueProxyStatError(.invalidValue, "message \(index) does not name its revision (namespace and name are required)")
            }
            result.append(Addressed(namespace: message.namespace, name: message.name, stat: try QueueProxyStat(validating: message.stat)))
        }
        return result
    }

    /// A stat with the revision it is for, as the activator sends it.
    public struct Addressed: Sendable, Hashable {
        /// The revision's namespace.
        public var namespace: String
        /// The revision's name.
        public var name: String
        /// The load report.
        public var stat: QueueProxyStat

        /// Creates an addressed stat.
        public init(namespace: String, name: String, stat: QueueProxyStat) {
            self.namespace = namespace
            self.name = name
            self.stat = stat
        }
    }

    /// The protobuf encoding of this stat, as a queue-proxy would serve it.
    public func protobufBytes() -> [UInt8] {
        // Encoding a message with only scalar fields cannot fail; an empty body would be refused on decode.
        (try? message.serializedBytes()) ?? []
    }

    /// The protobuf encoding of a batch, as the activator would send it.
    public static func protobufBytes(batch: [Addressed]) -> [UInt8] {
        var wire = Inferscale_Queueproxy_WireStatMessages()
        wire.messages = batch.map { entry in
            var message = Inferscale_Queueproxy_WireStatMessage()
            message.namespace = entry.namespace
            message.name = entry.name
            message.stat = entry.stat.message
            return message
        }
        return (try? wire.serializedBytes()) ?? []
    }

    private var message: Inferscale_Queueproxy_Stat {
        var message = Inferscale_Queueproxy_Stat()
        message.podName = podName
        message.averageConcurrentRequests = averageConcurrentRequests
        message.averageProxiedConcurrentRequests = averageProxiedConcurrentRequests
        message.requestCount = requestsPerSecond
        message.proxiedRequestCount = proxiedRequestsPerSecond
        message.processUptime = processUptime
        message.timestamp = timestamp
        return message
    }

    private init(validating message: Inferscale_Queueproxy_Stat) throws(QueueProxyStatError) {
        guard !message.podName.isEmpty else {
            throw QueueProxyStatError(.invalidValue, "the stat has no pod_name")
        }
        let figures: [(String, Double)] = [
            ("average_concurrent_requests", message.averageConcurrentRequests),
            ("average_proxied_concurrent_requests", message.averageProxiedConcurrentRequests),
            ("request_count", message.requestCount),
            ("proxied_request_count", message.proxiedRequestCount),
            ("process_uptime", message.processUptime),
        ]
        for (field, value) in figures where !value.isFinite || value < 0 {
            throw QueueProxyStatError(.invalidValue, "\(field) is \(value) for pod \(message.podName); it must be a finite non-negative number")
        }
        self.init(
            podName: message.podName,
            averageConcurrentRequests: message.averageConcurrentRequests,
            averageProxiedConcurrentRequests: message.averageProxiedConcurrentRequests,
            requestsPerSecond: message.requestCount,
            proxiedRequestsPerSecond: message.proxiedRequestCount,
            processUptime: message.processUptime,
            timestamp: message.timestamp
        )
    }
}
