import Foundation
import NIOConcurrencyHelpers
import Scaling

/// The soak's simulated time: whole steps of one second from a fixed epoch, read by the loop, the scraping
/// source's rates and discovery's conflict windows. Lease election and network timeouts stay in real time.
final class SoakClock: Sendable {
    private let step = NIOLockedValueBox(0)
    /// 2026-01-01T00:00:00Z.
    private let epoch: Int64 = 1_767_225_600

    func advance() { step.withLockedValue { $0 += 1 } }
    var steps: Int { step.withLockedValue { $0 } }
    var seconds: Double { Double(steps) }
    var timestamp: Timestamp { Timestamp(seconds: epoch + Int64(steps)) }
    var date: Date { Date(timeIntervalSince1970: Double(epoch + Int64(steps))) }
    /// Milliseconds since the Unix epoch, for remote-write samples.
    var milliseconds: Int64 { (epoch + Int64(steps)) * 1000 }
}
