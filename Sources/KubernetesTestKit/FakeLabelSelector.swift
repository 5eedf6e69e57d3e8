import Foundation

/// Label selectors as the fake understands them: `k=v`, `k==v`, `k!=v`, `k` (exists) and `!k` (absent), joined
/// by commas. Set-based forms (`in`, `notin`) are refused with 400, which the fake's docs list as not covered.
struct FakeLabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case absent(String)
    }

    var requirements: [Requirement]
    /// `fieldSelector=metadata.name=…`: only the object of this name (the one field selector the fake serves).
    var name: String?

    static let everything = FakeLabelSelector(requirements: [])

    init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Parses a selector; nil when it is not understood.
    init?(_ text: String) {
        var requirements: [Requirement] = []
        for raw in text.split(separator: ",") {
            let term = raw.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            if term.contains(" in ") || term.contains(" notin ") || term.contains("(") { return nil }
            if let range = term.range(of: "!=") {
                requirements.append(.notEquals(String(term[..<range.lowerBound]).trimmingCharacters(in: .whitespaces), String(term[range.upperBound...]).trimmingCharacters(in: .whitespaces)))
            } else if let range = term.range(of: "==") ?? term.range(of: "=") {
                requirements.append(.equals(String(term[..<range.lowerBound]).trimmingCharacters(in: .whitespaces), String(term[range.upperBound...]).trimmingCharacters(in: .whitespaces)))
            } else if term.hasPrefix("!") {
                requirements.append(.absent(String(term.dropFirst())))
            } else {
                requirements.append(.exists(term))
            }
        }
        self.requirements = requirements
    }

    /// Whether `object` is selected: its name (when a field selector names one) and its labels.
    func matches(object: JSONValue) -> Bool {
        if let name, object[path: ["metadata", "name"]]?.stringValue != name { return false }
        return matches(object[path: ["metadata", "labels"]]?.stringMap ?? [:])
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .exists(let key): return labels[key] != nil
            case .absent(let key): return labels[key] == nil
            }
        }
    }
}
