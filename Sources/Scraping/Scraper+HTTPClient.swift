import AsyncHTTPClient
import NIOCore

extension Scraper {
    /// Receive buffers of one pod connection: grown from 2 KiB up to 16 KiB (a vLLM body of 26 KB
    /// takes two reads), and at most two reads before the event loop moves on. A connection keeps these
    /// buffers while idle; NIO's defaults (up to four buffers of up to 64 KiB) held about 95 KiB per pod
    /// connection, most of a 1,000-target fleet's memory.
    static let podReceiveBuffer = AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 2_048, maximum: 16_384)
    static let podReadsPerWakeup: UInt = 2

    /// The HTTP client configuration for scraping pods, which `inferscale run` builds its client with:
    /// async-http-client's defaults (keep-alive, redirects followed; `inferscale run` shortens the 60 s
    /// idle timeout, see `PodConnectionPool`), no tracing spans, and the small receive buffers above on
    /// every connection.
    public static func httpClientConfiguration() -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        configuration.http1_1ConnectionDebugInitializer = { channel in
            channel.setOption(ChannelOptions.recvAllocator, value: podReceiveBuffer).flatMap {
                channel.setOption(ChannelOptions.maxMessagesPerRead, value: podReadsPerWakeup)
            }
        }
        return configuration
    }
}
