import Exposition
import Foundation

/// The body of `POST /push`, decoded and checked before anything is recorded: JSON
/// `{"target": "ns/name", "concurrency": 3, "rps": 1.5}` or a list of those, or Knative's
/// protobuf `WireStatMessages` (`Content-Type: application/protobuf`). Every value must be
/// finite and non-negative, a target must be `namespace/name`, and a body holds at most
/// `maxLoads` reports, so a hostile body costs bounded work.
public enum PushBody {
    /// Most reports one body may carry.
    public static let maxLoads = 1000

    /// Why a body was refused (HTTP 400); the message says what the body should look like.
    public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The reports in `body`, as the content type says.
    public static func decode(_ body: [UInt8], contentType: String) throws(DecodeError) -> [Endpoints.Load] {
        let loads: [Endpoints.Load]
        let type = contentType.lowercased()
        if type.hasPrefix("application/protobuf") || type.hasPrefix("application/x-protobuf") {
            do {
                loads = try QueueProxyStat.decodeBatch(protobuf: body).map {
                    Endpoints.Load(target: "\($0.namespace)/\($0.name)", concurrency: $0.stat.averageConcurrentRequests,
                                   rps: $0.stat.requestsPerSecond)
                }
            } catch {
                throw DecodeError(message: "malformed WireStatMessages: \(error)")
            }
        } else {
            let decoder = JSONDecoder()
            let data = Data(body)
            if let one = try? decoder.decode(Endpoints.Load.self, from: data) {
                loads = [one]
            } else if let many = try? decoder.decode([Endpoints.Load].self, from: data) {
                loads = many
            } else {
                throw DecodeError(message: #"expected JSON {"target": "namespace/name", "concurrency": N, "rps": N} or a list of them"#)
            }
        }
        guard loads.count <= maxLoads else { throw DecodeError(message: "\(loads.count) reports in one body; at most \(maxLoads)") }
        for load in loads {
            guard load.concurrency.isFinite, load.concurrency >= 0, (load.rps ?? 0).isFinite, (load.rps ?? 0) >= 0 else {
                throw DecodeError(message: "\(load.target.prefix(300)): concurrency and rps must be finite and non-negative")
            }
            let parts = load.target.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, load.target.utf8.count <= 317 else {
                throw DecodeError(message: "target \(load.target.prefix(300).debugDescription) is not namespace/name")
            }
        }
        return loads
    }
}
