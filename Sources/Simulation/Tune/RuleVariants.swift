import Foundation
import Rules

/// Variants of a rule as rule files: each variant is written with `RuleWriter` and read back
/// with `RuleParser`, and the rule read back is what is replayed, so the file `tune` writes
/// for a variant is exactly the policy that earned its figures.
enum RuleVariants {
    /// `base` renamed to `name` and changed by `change`, with the text of its rule file.
    static func make(_ base: Rule, name: String, comment: String,
                     change: (inout Rule.Policy) -> Void) throws(TuneError) -> (rule: Rule, file: String) {
        var rule = base
        rule.name = name
        change(&rule.policy)
        let text = RuleWriter.file([rule], comment: comment)
        let parsed: [Rule]
        do { parsed = try RuleParser(file: "\(name).yaml").parse(text) } catch {
            throw TuneError("variant \(name) does not form a valid rule: \(error.errors.map(\.description).joined(separator: "; "))")
        }
        guard parsed.count == 1 else { throw TuneError("variant \(name) wrote \(parsed.count) rules instead of one") }
        return (parsed[0], text)
    }

    /// Short text of a number for variant names: `4`, `1.5`.
    static func label(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%g", v)
    }
}
