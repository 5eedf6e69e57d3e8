/// An error from a Kubernetes API call: HTTP status, method, URL, the server's reason and message, and for 403
/// the RBAC permission that is missing.
public struct KubernetesError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Equatable {
        /// 401: the credentials were rejected (expired or wrong token, wrong client certificate).
        case unauthorized
        /// 403: RBAC does not allow the request; see `missingPermission`.
        case forbidden
        /// 404: the object (or its namespace) does not exist.
        case notFound
        /// 409 Conflict: the write carried a stale resourceVersion.
        case conflict
        /// 409 AlreadyExists: a create of an object that exists.
        case alreadyExists
        /// 422 or 400: the server rejected the request body.
        case invalid
        /// 410: the resourceVersion is too old (compacted); list again.
        case gone
        /// 415: wrong Content-Type.
        case unsupportedMediaType
        /// 429: the server asks to slow down.
        case tooManyRequests
        /// 5xx.
        case serverError
        /// Any other unexpected HTTP status.
        case unexpectedStatus
        /// The connection failed or was closed.
        case transport
        /// The request did not complete before its deadline.
        case timeout
        /// The response body exceeded the configured size limit.
        case responseTooLarge
        /// The response could not be decoded.
        case malformedResponse
    }

    /// What kind of failure this is.
    public var code: Code
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// HTTP method of the request.
    public var method: String
    /// Full URL of the request.
    public var url: String
    /// The server's `Status.reason`, when it sent one.
    public var reason: String?
    /// The server's message or a description of the local failure.
    public var message: String
    /// For 403: the permission the request needed.
    public var missingPermission: RBACPermission?
    /// The decoded `Status` body, when there was one.
    public var status: KubernetesStatus?
    /// Seconds the server asked to wait before retrying (`Retry-After` on a 429 or 503), when it said.
    public var retryAfterSeconds: Double?

    /// Creates an error.
    public init(
        code: Code, httpStatus: Int? = nil, method: String, url: String, reason: String? = nil, message: String,
        missingPermission: RBACPermission? = nil, status: KubernetesStatus? = nil, retryAfterSeconds: Double? = nil
    ) {
        self.code = code
        self.httpStatus = httpStatus
        self.method = method
        self.url = url
        self.reason = reason
        self.message = message
        self.missingPermission = missingPermission
        self.status = status
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// For 403: the user or ServiceAccount the API server refused, read from its message.
    public var forbiddenSubject: RBACSubject? {
        code == .forbidden ? RBACSubject(forbiddenMessage: message) : nil
    }

    /// True for failures worth retrying after a backoff: 5xx, 429, transport errors and timeouts.
    public var isRetryable: Bool {
        switch code {
        case .serverError, .tooManyRequests, .transport, .timeout: return true
        default: return false
        }
    }

    /// One line: request, status, server message, and what to do about it.
    public var description: String {
        var text = "Kubernetes API \(method) \(url) failed"
        if let httpStatus { text += ": HTTP \(httpStatus)" }
        if let reason, !reason.isEmpty { text += " \(reason)" }
        text += ": \(message)"
        if let retryAfterSeconds { text += " (Retry-After \(Int(retryAfterSeconds)) s)" }
        switch code {
        case .forbidden:
            if let permission = missingPermission {
                text += ". Missing RBAC permission: \(permission). Add the rule \(permission.roleRule) to \(permission.shippedGrant)"
                if let subject = forbiddenSubject {
                    text += ", and check that the binding's subject is \(subject), whom the API server refused"
                } else {
                    text += ", and check that the binding names the identity inferscale runs as"
                }
            }
        case .unauthorized:
            text += ". The credentials were rejected: check the service-account token (it is re-read as it rotates) or the kubeconfig user"
        case .gone:
            text += ". The resourceVersion is too old; a fresh list is needed"
        case .responseTooLarge:
            text += ". Raise limits.maxResponseBodyBytes if this response is legitimate"
        default:
            break
        }
        return text
    }
}
