import Foundation

/// The `Retry-After` header of a 429 or 503 (RFC 9110 §10.2.3): how long the API server asks a client to wait.
/// The kube-apiserver sends delay-seconds (API Priority and Fairness and the max-in-flight filter answer
/// `Retry-After: 1`); an HTTP-date, which it does not send, is not read and leaves the caller's own backoff.
public enum RetryAfter {
    /// Longest hint read, seconds (a day): anything longer is not a hint a controller can follow.
    public static let longestSeconds: Double = 86_400

    /// The delay in seconds, or nil when the header is absent, not delay-seconds, or longer than `longestSeconds`.
    public static func seconds(_ header: String?) -> Double? {
        guard let header else { return nil }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(text), Double(value) <= longestSeconds
        else { return nil }
        return Double(value)
    }
}
