/// Polls rule paths and hands each change to `onChange`: valid new rules are applied, invalid
/// ones rejected with the last good rules kept. A few seconds' poll picks up ConfigMap volume
/// updates, which swap a `..data` link rather than write files in place.
public actor RuleReloader {
    /// Settings.
    public struct Configuration: Sendable {
        /// The files or directories to read.
        public var paths: [String]
        /// Seconds between polls (default 2).
        public var pollIntervalSeconds: Double = 2
        public init(paths: [String], pollIntervalSeconds: Double = 2) {
            self.paths = paths
            self.pollIntervalSeconds = pollIntervalSeconds
        }
    }

    private let configuration: Configuration
    private var machine: RuleReloadStateMachine
    private let onChange: @Sendable (RuleReloadStateMachine.Action) async -> Void

    /// `initial` is in force at start; `onChange` hears every apply and reject.
    public init(configuration: Configuration, initial: RuleSet, onChange: @escaping @Sendable (RuleReloadStateMachine.Action) async -> Void) {
        self.configuration = configuration
        machine = RuleReloadStateMachine(initial: initial)
        self.onChange = onChange
    }

    /// The rules in force.
    public var current: RuleSet { machine.current }

    /// Reads the files once and acts on a change. Returns what happened.
    @discardableResult
    public func poll() async -> RuleReloadStateMachine.Action {
        let result: Result<[RuleFiles.File], RuleErrors>
        do { result = .success(try RuleFiles.read(configuration.paths)) } catch { result = .failure(error) }
        let action = machine.filesRead(result)
        if action != .unchanged { await onChange(action) }
        return action
    }

    /// Polls until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await poll()
            try? await Task.sleep(for: .seconds(configuration.pollIntervalSeconds))
        }
    }
}
