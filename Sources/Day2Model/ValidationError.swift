/// A rejected input: which field was wrong and which rule it broke.
///
/// Every layer (REST, gRPC, CLI, store) reports bad input with this type, so an operator always learns
/// the field and the rule, never just "bad request".
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field that broke the rule, in the API's own spelling (for example `cronMinutes`, `filter`, `pageSize`).
    public var field: String
    /// The rule that was broken, written for a person (for example `must be 1..86400`).
    public var rule: String

    /// Creates an error for `field` breaking `rule`.
    public init(field: String, rule: String) {
        self.field = field
        self.rule = rule
    }

    /// `field: rule`, safe to show to any caller.
    public var description: String { "\(field): \(rule)" }
}
