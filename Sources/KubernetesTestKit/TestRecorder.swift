import NIOConcurrencyHelpers

/// Collects values produced by concurrent code and lets a test wait, with a timeout, until they satisfy a
/// condition. Waits are woken by each `append`; there is no polling.
public final class TestRecorder<Element: Sendable>: Sendable {
    private struct State {
        var values: [Element] = []
        var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
        var nextID = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Creates an empty recorder.
    public init() {}

    /// Everything recorded so far.
    public var values: [Element] { state.withLockedValue { $0.values } }

    /// Records a value and wakes waiters.
    public func append(_ value: Element) {
        let waiters = state.withLockedValue { state in
            state.values.append(value)
            return Array(state.waiters.values)
        }
        waiters.forEach { $0.yield() }
    }

    /// Waits until `condition` holds for the recorded values and returns them.
    /// - Throws: `FakeTimeoutError` after `timeout`.
    @discardableResult
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(10), _ condition: @escaping @Sendable ([Element]) -> Bool
    ) async throws -> [Element] {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = state.withLockedValue { state in
            state.nextID += 1
            state.waiters[state.nextID] = continuation
            return state.nextID
        }
        defer { state.withLockedValue { _ = $0.waiters.removeValue(forKey: id) } }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            continuation.finish()
        }
        defer { timer.cancel() }
        continuation.yield()
        for await _ in stream {
            let values = self.values
            if condition(values) { return values }
        }
        let values = self.values
        if condition(values) { return values }
        throw FakeTimeoutError(what: what, timeout: timeout)
    }
}
