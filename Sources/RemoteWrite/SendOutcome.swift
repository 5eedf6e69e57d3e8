/// How one request ended, as the queue's state machine needs to know it.
public enum SendOutcome: Sendable, Equatable {
    /// 2xx: the receiver wrote the batch.
    case success
    /// 5xx, a network error or a timeout: send the same batch again after a backoff.
    case retryable(reason: String)
    /// 429: the receiver asks to slow down; `retryAfter` is its Retry-After, if it gave one.
    case rateLimited(retryAfter: Duration?)
    /// Any other 4xx (and anything else unexpected): the batch will never be accepted; do not retry.
    case rejected(status: Int)

    /// Classifies an HTTP status code (with the Retry-After of a 429).
    public init(status: Int, retryAfter: Duration? = nil) {
        switch status {
        case 200..<300: self = .success
        case 429: self = .rateLimited(retryAfter: retryAfter)
        case 500..<600: self = .retryable(reason: "HTTP \(status)")
        default: self = .rejected(status: status)
        }
    }
}
