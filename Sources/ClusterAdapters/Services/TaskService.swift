import ServiceLifecycle

/// A long-running task as a service: `body` runs until it returns or, on graceful shutdown,
/// `onShutdown` is called (default: cancel the task).
public struct TaskService: Service {
    private let name: String
    private let body: @Sendable () async throws -> Void
    private let onShutdown: (@Sendable () -> Void)?

    public init(name: String, onShutdown: (@Sendable () -> Void)? = nil, body: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.body = body
        self.onShutdown = onShutdown
    }

    public func run() async throws {
        if let onShutdown {
            try await withGracefulShutdownHandler { try await body() } onGracefulShutdown: { onShutdown() }
        } else {
            try await cancelWhenGracefulShutdown { try await body() }
        }
    }
}
