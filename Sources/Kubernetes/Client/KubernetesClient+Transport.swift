import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// One API request: method, path, query, body and the RBAC permission it needs (named in 403 errors).
struct Endpoint: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [(String, String)] = []
    /// What RBAC must grant; nil for discovery documents, which `system:discovery` grants every authenticated user.
    var permission: RBACPermission?
    var body: Data? = nil
    var contentType: String? = nil
}

/// Percent-encodes one path segment (names and namespaces).
func segment(_ text: String) -> String {
    percentEncode(text)
}

func percentEncode(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            result.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            result += String(format: "%%%02X", UInt32(byte))
        }
    }
    return result
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : product + attoseconds / 1_000_000_000
    }

    /// Seconds as a Double.
    var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

extension KubernetesClient {
    func url(for endpoint: Endpoint) -> String {
        var url = configuration.server + endpoint.path
        if !endpoint.query.isEmpty {
            url += "?" + endpoint.query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        }
        return url
    }

    /// Sends the request and returns the response once its head arrived; the body is still to be read.
    func perform(_ endpoint: Endpoint, deadline: NIODeadline) async throws -> HTTPClientResponse {
        let url = url(for: endpoint)
        var request = HTTPClientRequest(url: url)
        request.method = endpoint.method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        switch configuration.credentials {
        case .bearerToken(let token):
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .bearerTokenFile:
            if let tokenSource {
                let token: String
                do {
                    token = try tokenSource.token()
                } catch {
                    throw KubernetesError(
                        code: .unauthorized, method: endpoint.method.rawValue, url: url, message: "\(error)")
                }
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
            }
        case .none, .clientCertificate:
            break
        }
        if let body = endpoint.body {
            request.headers.add(name: "Content-Type", value: endpoint.contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            return try await httpClient.execute(request, deadline: deadline, logger: logger)
        } catch {
            throw transportError(error, endpoint: endpoint, url: url)
        }
    }

    func transportError(_ error: any Error, endpoint: Endpoint, url: String) -> KubernetesError {
        if let error = error as? KubernetesError { return error }
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout
        {
            return KubernetesError(code: .timeout, method: endpoint.method.rawValue, url: url, message: "\(error)")
        }
        if error is NIOTooManyBytesError {
            return KubernetesError(
                code: .responseTooLarge, method: endpoint.method.rawValue, url: url,
                message: "response body over \(configuration.limits.maxResponseBodyBytes) bytes")
        }
        if error is NIOSSLError || error is BoringSSLError {
            return KubernetesError(
                code: .transport, method: endpoint.method.rawValue, url: url,
                message: "TLS handshake failed (check the cluster CA — certificateAuthorityPEM, ca.crt in-cluster — and the client certificate): \(error)")
        }
        return KubernetesError(code: .transport, method: endpoint.method.rawValue, url: url, message: "\(error)")
    }

    /// Sends the request, reads at most `limits.maxResponseBodyBytes`, and decodes a 2xx body as `T`.
    func send<T: Decodable>(_ endpoint: Endpoint, as type: T.Type) async throws -> T {
        let url = url(for: endpoint)
        let deadline = NIODeadline.now() + .nanoseconds(configuration.timeouts.request.inNanoseconds)
        let response = try await perform(endpoint, deadline: deadline)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: configuration.limits.maxResponseBodyBytes)
        } catch {
            throw transportError(error, endpoint: endpoint, url: url)
        }
        guard (200..<300).contains(response.status.code) else {
            throw Self.apiError(status: Int(response.status.code), body: body, endpoint: endpoint, url: url,
                                retryAfter: response.headers.first(name: "Retry-After"))
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw KubernetesError(
                code: .malformedResponse, httpStatus: Int(response.status.code), method: endpoint.method.rawValue, url: url,
                message: "cannot decode \(T.self): \(error)")
        }
    }

    /// Maps an error status, its `Status` body and its `Retry-After` header to a `KubernetesError`.
    static func apiError(status: Int, body: ByteBuffer, endpoint: Endpoint, url: String, retryAfter: String? = nil) -> KubernetesError {
        let decoded = try? JSONDecoder().decode(KubernetesStatus.self, from: Data(body.readableBytesView))
        let message =
            decoded?.message
            ?? String(decoding: body.readableBytesView.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let code: KubernetesError.Code
        switch status {
        case 401: code = .unauthorized
        case 403: code = .forbidden
        case 404: code = .notFound
        case 409: code = decoded?.reason == "AlreadyExists" ? .alreadyExists : .conflict
        case 410: code = .gone
        case 415: code = .unsupportedMediaType
        case 400, 422: code = .invalid
        case 429: code = .tooManyRequests
        case 500..<600: code = .serverError
        default: code = .unexpectedStatus
        }
        return KubernetesError(
            code: code, httpStatus: status, method: endpoint.method.rawValue, url: url, reason: decoded?.reason,
            message: message.isEmpty ? "(empty body)" : message,
            missingPermission: status == 403 ? endpoint.permission : nil, status: decoded,
            retryAfterSeconds: status == 429 || status == 503 ? RetryAfter.seconds(retryAfter) : nil)
    }

    /// Lists all pages of a collection, bounded by `limits.maxListPages`.
    func list<T: Codable & Sendable>(path: String, labelSelector: String?, permission: RBACPermission) async throws -> ObjectList<T> {
        var items: [T] = []
        var resourceVersion: String?
        var continueToken: String?
        for _ in 0..<max(1, configuration.limits.maxListPages) {
            var query = [("limit", String(configuration.limits.listPageSize))]
            if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
            if let continueToken { query.append(("continue", continueToken)) }
            let page = try await send(
                Endpoint(method: .GET, path: path, query: query, permission: permission), as: ObjectList<T>.self)
            items += page.items
            if resourceVersion == nil { resourceVersion = page.metadata.resourceVersion }
            guard let next = page.metadata.continue, !next.isEmpty else {
                return ObjectList(metadata: ListMeta(resourceVersion: resourceVersion), items: items)
            }
            continueToken = next
        }
        throw KubernetesError(
            code: .responseTooLarge, method: "GET", url: configuration.server + path,
            message: "list did not finish within \(configuration.limits.maxListPages) pages of \(configuration.limits.listPageSize)")
    }

    /// Starts a watch and returns its events as a stream. Non-200 answers throw before the stream is returned.
    func watch<T: KubernetesObject>(_ endpoint: Endpoint) async throws -> AsyncThrowingStream<WatchEvent<T>, any Error> {
        let url = url(for: endpoint)
        let total = configuration.timeouts.watchServerTimeout + configuration.timeouts.watchClientGrace
        let response = try await perform(endpoint, deadline: .now() + .nanoseconds(total.inNanoseconds))
        guard response.status == .ok else {
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: configuration.limits.maxResponseBodyBytes)
            } catch {
                throw transportError(error, endpoint: endpoint, url: url)
            }
            throw Self.apiError(status: Int(response.status.code), body: body, endpoint: endpoint, url: url,
                                retryAfter: response.headers.first(name: "Retry-After"))
        }
        let reader = WatchEventReader<T>(
            iterator: response.body.makeAsyncIterator(), maxLineBytes: configuration.limits.maxWatchEventBytes,
            makeError: { [self] error in
                if let failure = error as? WatchLineSplitter.Failure, case .lineTooLong(let length) = failure {
                    return KubernetesError(
                        code: .responseTooLarge, httpStatus: 200, method: "GET", url: url,
                        message: "watch event of \(length) bytes exceeds limits.maxWatchEventBytes (\(configuration.limits.maxWatchEventBytes))")
                }
                if let error = error as? DecodingError {
                    return KubernetesError(
                        code: .malformedResponse, httpStatus: 200, method: "GET", url: url, message: "cannot decode watch event: \(error)")
                }
                return transportError(error, endpoint: endpoint, url: url)
            })
        return AsyncThrowingStream(unfolding: { try await reader.next() })
    }
}

/// Reads watch events one line at a time from a response body. Used only by one stream's `unfolding` closure,
/// which the stream calls serially, so the mutable state is never touched concurrently.
final class WatchEventReader<T: KubernetesObject>: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator
    private var splitter: WatchLineSplitter
    private var finished = false
    private let makeError: @Sendable (any Error) -> KubernetesError

    init(
        iterator: HTTPClientResponse.Body.AsyncIterator, maxLineBytes: Int,
        makeError: @escaping @Sendable (any Error) -> KubernetesError
    ) {
        self.iterator = iterator
        self.splitter = WatchLineSplitter(maxLineBytes: maxLineBytes)
        self.makeError = makeError
    }

    func next() async throws -> WatchEvent<T>? {
        if finished { return nil }
        do {
            while true {
                if let line = try splitter.nextLine() {
                    if line.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                    return try Self.decode(line)
                }
                guard let chunk = try await iterator.next() else {
                    finished = true
                    if let rest = splitter.remainder() { return try Self.decode(rest) }
                    return nil
                }
                try splitter.append(chunk)
            }
        } catch is CancellationError {
            finished = true
            return nil
        } catch {
            finished = true
            throw makeError(error)
        }
    }

    static func decode(_ line: ByteBuffer) throws -> WatchEvent<T> {
        try WatchEvent<T>.decode(line: line.readableBytesView)
    }
}
