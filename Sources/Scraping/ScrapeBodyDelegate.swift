import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Reads one scrape's answer on the connection's event loop: a status other than 200 or a body over the
/// cap ends the request at once (with the scrape failure), the body is copied straight into one array
/// sized from Content-Length, and `decode` turns it into what the scrape keeps there and then. No part of
/// it travels through an async sequence, and a body never waits for a thread to parse it: with the bodies
/// of a round arriving faster than two cores parse them, hundreds of 26 KB bodies used to wait in memory.
final class ScrapeBodyDelegate<Output: Sendable>: HTTPClientResponseDelegate, Sendable {
    typealias Response = Output
    /// Turns a body and its Content-Type into the result; throws the scrape failure of a body that does not decode.
    typealias Decode = @Sendable (_ body: [UInt8], _ contentType: String?) throws(ScrapeFailure) -> Output

    private struct State {
        var body: [UInt8] = []
        var contentType: String?
        var sawHead = false
    }

    private let url: String
    private let limit: Int
    private let decode: Decode
    // Every callback runs on the task's event loop; the lock only satisfies Sendable, uncontended.
    private let state = NIOLockedValueBox(State())

    init(url: String, limit: Int, decode: @escaping Decode) {
        self.url = url
        self.limit = limit
        self.decode = decode
    }

    /// Whether the response head came (a timeout after it is a body that did not finish in time).
    var sawHead: Bool { state.withLockedValue { $0.sawHead } }

    func didReceiveHead(task: HTTPClient.Task<Response>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        guard head.status == .ok else {
            return task.eventLoop.makeFailedFuture(ScrapeFailure(reason: "status", url: url, detail: "HTTP \(head.status.code)"))
        }
        let length = head.headers.first(name: "Content-Length").flatMap(Int.init)
        if let length, length > limit {
            return task.eventLoop.makeFailedFuture(ScrapeFailure(reason: "too-large", url: url, detail: "\(length) bytes; the limit is \(limit)"))
        }
        state.withLockedValue { state in
            state.sawHead = true
            state.contentType = head.headers.first(name: "Content-Type")
            if let length { state.body.reserveCapacity(length) }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Response>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let fits = state.withLockedValue { state in
            guard state.body.count + buffer.readableBytes <= limit else { return false }
            state.body.append(contentsOf: buffer.readableBytesView)
            return true
        }
        return fits ? task.eventLoop.makeSucceededVoidFuture()
            : task.eventLoop.makeFailedFuture(ScrapeFailure(reason: "too-large", url: url, detail: "body over \(limit) bytes"))
    }

    func didReceiveError(task: HTTPClient.Task<Response>, _ error: Error) {}

    func didFinishRequest(task: HTTPClient.Task<Response>) throws -> Response {
        let (body, contentType) = state.withLockedValue { state in
            defer { state.body = [] }
            return (state.body, state.contentType)
        }
        return try decode(body, contentType)
    }
}
