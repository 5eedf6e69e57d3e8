import NIOCore
import NIOHTTP1

/// The last handler of a `PodHTTPClient` connection: sends one GET at a time and reads its answer as NIO's HTTP/1.1
/// decoder hands it up, on the connection's event loop. The deadline is a task scheduled on that loop which ends the
/// exchange and closes the connection wherever the answer stands (connecting, head or body); the body cap is checked
/// as each piece arrives; a status other than 200 ends the exchange at the head. Every end is reported once, through
/// the exchange's `complete`.
final class PodResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    /// How one exchange ended.
    enum Outcome {
        /// A 200 answer read to its end; `keepAlive` says whether the connection can carry the next request.
        case answered(body: [UInt8], contentType: String?, keepAlive: Bool)
        /// The scrape failure; `nothingRead` when the connection closed before any byte of the answer (a kept-alive
        /// connection the pod had already closed: the request may be sent again on a new one).
        case failed(ScrapeFailure, nothingRead: Bool)
    }

    /// One request and what to do with its answer.
    struct Exchange {
        var head: HTTPRequestHead
        var url: String
        var limit: Int
        var deadline: NIODeadline
        /// The deadline in seconds, for the failure's message.
        var deadlineSeconds: Double
        var complete: (Outcome) -> Void
    }

    private var context: ChannelHandlerContext?
    private var current: Exchange?
    private var timer: Scheduled<Void>?
    private var body: [UInt8] = []
    private var contentType: String?
    private var keepAlive = true
    private var sawHead = false
    /// Whether the client's idle timer for this connection is set (the client's business, kept here on the loop).
    var idleTimerSet = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    /// Sends `exchange`'s request; its answer (or failure) comes back through `exchange.complete`, on this loop.
    func start(_ exchange: Exchange) {
        guard let context, context.channel.isActive else {
            exchange.complete(.failed(ScrapeFailure(reason: "connect", url: exchange.url, detail: "the connection was closed"), nothingRead: true))
            return
        }
        current = exchange
        body = []
        contentType = nil
        keepAlive = true
        sawHead = false
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: exchange.deadline) {
            let me = handler.value
            guard let exchange = me.current else { return }
            me.finish(.failed(ScrapeFailure(reason: "timeout", url: exchange.url, detail: me.sawHead
                ? "no complete answer within the \(exchange.deadlineSeconds) s deadline"
                : "no answer within the \(exchange.deadlineSeconds) s deadline"), nothingRead: false), close: true)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Ends the current exchange as cancelled and closes the connection (the scrape's task was cancelled).
    func cancel() {
        guard let exchange = current else { return }
        finish(.failed(ScrapeFailure(reason: "connect", url: exchange.url, detail: "the scrape was cancelled"), nothingRead: false), close: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let exchange = current else { return }  // bytes after an exchange ended: the connection is closing
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard head.status == .ok else {
                finish(.failed(ScrapeFailure(reason: "status", url: exchange.url, detail: "HTTP \(head.status.code)"), nothingRead: false), close: true)
                return
            }
            let length = head.headers.first(name: "Content-Length").flatMap(Int.init)
            if let length, length > exchange.limit {
                finish(.failed(ScrapeFailure(reason: "too-large", url: exchange.url, detail: "\(length) bytes; the limit is \(exchange.limit)"), nothingRead: false), close: true)
                return
            }
            sawHead = true
            keepAlive = head.isKeepAlive
            contentType = head.headers.first(name: "Content-Type")
            if let length { body.reserveCapacity(length) }
        case .body(let buffer):
            guard body.count + buffer.readableBytes <= exchange.limit else {
                finish(.failed(ScrapeFailure(reason: "too-large", url: exchange.url, detail: "body over \(exchange.limit) bytes"), nothingRead: false), close: true)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            let answer = body
            body = []
            finish(.answered(body: answer, contentType: contentType, keepAlive: keepAlive), close: !keepAlive)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange = current {
            let nothingRead = !sawHead
            finish(.failed(ScrapeFailure(reason: "connect", url: exchange.url, detail: sawHead
                ? "the pod closed the connection before the end of the body" : "the pod closed the connection without answering"),
                           nothingRead: nothingRead), close: false)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let exchange = current {
            // NIO's decoder reports a connection closed inside a body as this error, before the channel goes inactive.
            let cutOff = (error as? HTTPParserError) == .invalidEOFState
            // A reset or a write error before any answer (a kept-alive connection the pod had closed): the pod never
            // read the request, so it may be sent again on a new connection.
            let beforeAnswer = !sawHead && (error is IOError || error is ChannelError)
            finish(.failed(ScrapeFailure(reason: "connect", url: exchange.url, detail: cutOff
                ? (sawHead ? "the pod closed the connection before the end of the body" : "the pod closed the connection inside the response head")
                : "\(error)"), nothingRead: beforeAnswer), close: true)
        } else {
            context.close(promise: nil)
        }
    }

    /// Ends the current exchange once: stops its deadline, drops its body, reports `outcome`.
    private func finish(_ outcome: Outcome, close: Bool) {
        guard let exchange = current else { return }
        current = nil
        timer?.cancel()
        timer = nil
        body = []
        if close { context?.close(promise: nil) }
        exchange.complete(outcome)
    }
}
