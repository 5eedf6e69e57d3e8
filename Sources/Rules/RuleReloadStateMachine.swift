/// Decides what a rule reload does: nothing when the files are unchanged, swap in the new
/// rules when they are valid, keep the last good rules (and report) when they are not.
public struct RuleReloadStateMachine: Sendable {
    /// What to do after reading the files.
    public enum Action: Sendable, Equatable {
        /// The files are as last time.
        case unchanged
        /// New valid rules: put them in force.
        case apply(RuleSet)
        /// The files changed but are invalid: the last good rules stay; report these errors.
        case reject(RuleErrors)
    }

    /// The rules in force.
    public private(set) var current: RuleSet
    private var lastFingerprint: UInt64?

    /// Starts with `initial` in force (the rules loaded at start-up).
    public init(initial: RuleSet = .empty) {
        current = initial
    }

    /// Reports the files read on a poll (or the error reading them).
    public mutating func filesRead(_ result: Result<[RuleFiles.File], RuleErrors>) -> Action {
        let fingerprint: UInt64
        switch result {
        case .success(let files): fingerprint = Self.fingerprint(files)
        case .failure(let errors): fingerprint = Self.fingerprint(errors.description)
        }
        if fingerprint == lastFingerprint { return .unchanged }
        lastFingerprint = fingerprint
        switch result {
        case .failure(let errors):
            return .reject(errors)
        case .success(let files):
            do {
                let set = try RuleFiles.load(files)
                current = set
                return .apply(set)
            } catch {
                return .reject(error)
            }
        }
    }

    /// FNV-1a over paths and contents: a ConfigMap update changes the text behind the same
    /// names, so contents — not modification times — decide whether anything changed.
    static func fingerprint(_ files: [RuleFiles.File]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for file in files {
            for byte in file.path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xff) &* 0x100_0000_01b3
            for byte in file.text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xfe) &* 0x100_0000_01b3
        }
        return hash
    }

    static func fingerprint(_ text: String) -> UInt64 {
        var hash: UInt64 = 0x8422_2325_cbf2_9ce4
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
