import Foundation
import NIOCore
import NIOHTTP1

/// The write side of one watch response: JSON lines on a chunked HTTP response.
final class FakeWatchSink: Sendable {
    let channel: any Channel

    init(channel: any Channel) {
        self.channel = channel
    }

    func start() {
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        channel.writeAndFlush(HTTPServerResponsePart.head(head), promise: nil)
    }

    func send(_ event: JSONValue) {
        var data = event.serialized()
        data.append(UInt8(ascii: "\n"))
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: data))), promise: nil)
    }

    /// Sends bytes as they are (for hostile or malformed streams).
    func sendRaw(_ data: Data) {
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: data))), promise: nil)
    }

    /// Ends the response cleanly (the terminating chunk); the connection stays usable.
    func finish() {
        channel.writeAndFlush(HTTPServerResponsePart.end(nil), promise: nil)
    }

    /// Drops the connection without ending the response.
    func abort() {
        channel.close(promise: nil)
    }
}
